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
