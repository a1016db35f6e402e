// The payment step: Stripe.js's card element, confirmCardPayment, then the order page.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof window.Stripe !== "function") return;
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  card.mount("#card-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    stripe
      .confirmCardPayment(form.dataset.clientSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          errors.textContent = result.error.message || String(result.error);
          button.disabled = false;
          return;
        }
        window.location.assign(form.dataset.returnUrl);
      });
  });
})();
