// frame.js runs on the hosted checkout's last page. Inside the drop-in's
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
    } else if (message.outcome === "completed") {
      window.location.replace(link.href);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", finish);
  else finish();
})();
