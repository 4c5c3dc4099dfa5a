// Progressive enhancement for the OpenFlex portal. Every page works without
// this file; it only adds copy-to-clipboard buttons, which stay hidden until
// the script runs (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function copyText(el) {
    var text = el.value !== undefined ? el.value : el.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text.trim());
    }
    // Fallback: select the text so the user can press Ctrl-C / ⌘-C.
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    return Promise.reject(new Error("clipboard unavailable"));
  }

  // After a failed submit, focus goes to the error summary (or the form's
  // own error), so keyboard and screen-reader users start from what needs
  // fixing, as in the hosted checkout; after a successful one, to its
  // confirmation (the error summary comes first in the page, so it wins). A
  // summary link whose field has no such id goes to the field of that name.
  var problem = document.querySelector("[data-focus]") || document.querySelector(".form-error[role=alert]");
  if (problem) {
    if (!problem.hasAttribute("tabindex")) problem.setAttribute("tabindex", "-1");
    problem.focus();
    problem.querySelectorAll("a[href^='#']").forEach(function (a) {
      var name = a.getAttribute("href").slice(1);
      if (document.getElementById(name)) return;
      var field = document.querySelector("[name='" + name.replace(/'/g, "") + "']");
      if (!field) return;
      a.addEventListener("click", function (e) { e.preventDefault(); field.focus(); });
    });
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(target).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      }, function () { /* text left selected for a manual copy */ });
    });
  });
})();
