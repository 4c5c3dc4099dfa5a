// OpenFlex drop-in (v1). Plain modern JavaScript, no build step.
//
//   OpenFlex.checkout({ url, mode: "modal" | "redirect", onComplete, onCancel })
//   OpenFlex.promo(element, { clientId, amount })   // amount in cents
//
// The checkout URL comes from your server (POST /v1/checkouts): no secret ever
// reaches the browser. Messages from the checkout frame are accepted only
// from the OpenFlex origin that served this script.
(function (global) {
  "use strict";
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;

  // formatCents renders integer cents without floating point: 129999 -> "$1,299.99".
  function formatCents(cents, lang) {
    cents = Math.round(Number(cents));
    var negative = cents < 0;
    if (negative) cents = -cents;
    var whole = String(Math.floor(cents / 100));
    var rest = String(cents % 100).padStart(2, "0");
    var fr = lang && lang.toLowerCase().indexOf("fr") === 0;
    var grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, fr ? "\u00a0" : ",");
    var text = fr ? grouped + "," + rest + "\u00a0$" : "$" + grouped + "." + rest;
    return negative ? "-" + text : text;
  }

  function checkout(opts) {
    if (!opts || !opts.url) throw new Error("OpenFlex.checkout: url is required");
    var url = new URL(opts.url, location.href);
    if (url.origin !== origin) throw new Error("OpenFlex.checkout: the url must be an OpenFlex checkout URL");
    if (opts.mode !== "modal") {
      location.assign(url.href);
      return { close: function () {} };
    }
    url.searchParams.set("mode", "modal");
    var overlay = document.createElement("div");
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", "OpenFlex checkout");
    overlay.setAttribute("data-openflex-overlay", "");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,33,61,.55);display:flex;align-items:center;justify-content:center";
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = "OpenFlex checkout";
    frame.setAttribute("data-openflex-frame", "");
    frame.style.cssText = "border:0;background:#fff;width:100%;height:100%;max-width:560px;max-height:820px;border-radius:16px;box-shadow:0 16px 48px rgba(0,0,0,.3)";
    // A way out that does not depend on the frame loading: a close button
    // and the Escape key both cancel.
    var closeButton = document.createElement("button");
    closeButton.type = "button";
    closeButton.textContent = "\u00d7";
    closeButton.setAttribute("aria-label", "Close OpenFlex checkout");
    closeButton.setAttribute("data-openflex-close", "");
    closeButton.style.cssText = "position:absolute;top:12px;right:16px;width:40px;height:40px;padding:0;text-align:center;border:0;border-radius:20px;background:#fff;color:#14213d;font:28px/40px system-ui,sans-serif;cursor:pointer";
    overlay.appendChild(frame);
    overlay.appendChild(closeButton);
    document.body.appendChild(overlay);
    var previous = document.activeElement;
    frame.focus();

    function dismiss() {
      close();
      if (opts.onCancel) opts.onCancel({ outcome: "closed" });
    }
    function onKey(event) {
      if (event.key === "Escape") dismiss();
    }
    closeButton.addEventListener("click", dismiss);
    document.addEventListener("keydown", onKey);

    function close() {
      window.removeEventListener("message", onMessage);
      document.removeEventListener("keydown", onKey);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      if (previous && previous.focus) previous.focus();
    }
    function onMessage(event) {
      // Only the OpenFlex frame we opened may speak to us.
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type !== "openflex:checkout") return;
      close();
      if (data.outcome === "completed") {
        if (opts.onComplete) opts.onComplete({ checkoutId: data.checkoutId, returnUrl: data.returnUrl });
        else location.assign(data.returnUrl);
      } else if (opts.onCancel) {
        opts.onCancel({ checkoutId: data.checkoutId, outcome: data.outcome });
      }
    }
    window.addEventListener("message", onMessage);
    return { close: close };
  }

  function promo(element, opts) {
    if (typeof element === "string") element = document.querySelector(element);
    if (!element || !opts || !opts.clientId || !opts.amount) return Promise.resolve(null);
    var lang = opts.language || document.documentElement.lang || navigator.language || "en";
    var q = new URLSearchParams({ client_id: opts.clientId, amount: String(opts.amount) });
    return fetch(origin + "/v1/public/promotions?" + q.toString(), { credentials: "omit", headers: { "Accept-Language": lang } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (!body || !body.available) { element.textContent = ""; return body; }
        var fr = lang.toLowerCase().indexOf("fr") === 0;
        element.textContent = (fr ? "À partir de " : "As low as ") + formatCents(body.monthly_payment, lang) +
          (fr ? "/mois avec OpenFlex" : "/month with OpenFlex");
        element.setAttribute("data-openflex-promo", body.plan_id);
        if (body.disclosure) element.title = body.disclosure;
        return body;
      })
      .catch(function () { return null; });
  }

  global.OpenFlex = { checkout: checkout, promo: promo, formatCents: formatCents, version: "1" };
})(window);
