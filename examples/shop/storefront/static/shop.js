// The product page: promo messaging and the "Pay with OpenFlex" button.
// openflex.js (loaded before this file) provides window.OpenFlex.
(function () {
  "use strict";
  var product = document.getElementById("product");
  if (!product || !window.OpenFlex) return;
  var lang = document.documentElement.lang;
  var amount = Number(product.dataset.amount);

  // "As low as $X/month with OpenFlex". The Client ID is public; OpenFlex
  // answers only pages on a Trust URL of the key set.
  OpenFlex.promo(document.getElementById("promo"), { clientId: product.dataset.clientId, amount: amount, language: lang });

  var button = document.getElementById("pay-openflex");
  var status = document.getElementById("pay-status");
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = "";
    // Our own server creates the checkout with the secret and gives us
    // only its URL.
    fetch("/checkout", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ lang: lang }) })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) throw new Error(body.error);
          return body;
        });
      })
      .then(function (checkout) {
        OpenFlex.checkout({
          url: checkout.url,
          mode: product.dataset.mode, // "modal" or "redirect"
          onComplete: function (result) {
            location.assign("/thanks?checkout_id=" + encodeURIComponent(result.checkoutId));
          },
          onCancel: function (result) {
            location.assign("/cart?checkout_id=" + encodeURIComponent(result.checkoutId));
          }
        });
        button.disabled = false;
      })
      .catch(function (err) {
        status.textContent = err.message;
        button.disabled = false;
      });
  });
})();
