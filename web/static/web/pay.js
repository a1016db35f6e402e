// The payment step: Stripe.js turns the card into a payment method (card numbers go to Stripe
// only), our server confirms the payment with it, Stripe.js finishes 3-D Secure when the bank
// asks, then the order page waits for Stripe's webhook.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof window.Stripe !== "function") return;
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("pay-button");
  card.mount("#card-element");

  function fail(message) {
    errors.textContent = message;
    button.disabled = false;
  }

  // localstripe's Stripe.js has no createPaymentMethod: its createToken makes a card there,
  // which a PaymentIntent accepts as its payment method too (simulated payments only).
  function localPaymentMethod() {
    return stripe.createToken(card).then(function (result) {
      return result.error ? result : { paymentMethod: { id: result.token.card.id } };
    });
  }

  function paymentMethod() {
    if (form.dataset.localStripe) return localPaymentMethod();
    return stripe.createPaymentMethod({ type: "card", card: card });
  }

  function confirm(method) {
    var body = new FormData();
    body.append("payment_method", method.id);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    return fetch(form.dataset.confirmUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.json(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    paymentMethod()
      .then(function (made) {
        if (made.error) throw made.error;
        return confirm(made.paymentMethod);
      })
      .then(function (answer) {
        if (answer.error) throw answer;
        if (answer.next === "authenticate") {
          return stripe.confirmCardPayment(form.dataset.clientSecret).then(function (result) {
            if (result.error) throw result.error;
            window.location.assign(form.dataset.returnUrl);
          });
        }
        window.location.assign(answer.url);
      })
      .catch(function (error) {
        fail((error && (error.error || error.message)) || String(error));
      });
  });
})();
