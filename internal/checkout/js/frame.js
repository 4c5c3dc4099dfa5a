// frame.js runs on every hosted checkout page. On the last page, inside the drop-in's
// modal it tells the merchant's page how the checkout ended, addressed to
// the merchant's origin only; outside a frame it just returns to the store.
(function () {
  "use strict";
  function finish() {
    var link = document.querySelector("[data-openflex-complete]");
    if (!link) return;
    var parentOrigin = document.body.getAttribute("data-parent-origin");
    var message = {
      type: "openflex:checkout",
      outcome: link.getAttribute("data-outcome"),
      checkoutId: link.getAttribute("data-openflex-complete"),
      returnUrl: link.href
    };
    if (window.parent !== window && parentOrigin) {
      window.parent.postMessage(message, parentOrigin);
    } else if (message.outcome === "completed" || message.outcome === "cancelled") {
      returnSoon(link.href);
    }
  }
  // Full page, the shopper gets a moment to read the outcome before the
  // store's page replaces it, is told so, and may stay; the link works
  // throughout (and without JavaScript).
  var returnDelay = 4000;
  function returnSoon(href) {
    var box = document.getElementById("auto-return");
    var timer = window.setTimeout(function () { window.location.replace(href); }, returnDelay);
    if (!box) return;
    box.hidden = false;
    document.getElementById("stay").addEventListener("click", function () {
      window.clearTimeout(timer);
      var note = document.getElementById("auto-return-note");
      note.textContent = note.getAttribute("data-stayed");
      this.hidden = true;
      document.getElementById("return").focus();
    });
  }
  // After a failed submit, focus goes to the error summary so keyboard and
  // screen-reader users start from what needs fixing (autofocus alone is
  // ignored inside the drop-in's cross-origin frame).
  function focusErrors() {
    var summary = document.querySelector("[data-focus]");
    if (summary) summary.focus();
  }
  function start() {
    focusErrors();
    finish();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
