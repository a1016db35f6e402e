// "Notify me on this device": registers the service worker (/sw.js), subscribes this browser
// to Web Push with the site's public VAPID key, and hands the subscription to the site.
"use strict";

(() => {
  const form = document.getElementById("push-device");
  if (!form || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const button = form.querySelector("button");
  const status = form.querySelector("[role=status]");
  const csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;

  function keyBytes(base64url) {
    const base64 = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken},
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(String(response.status));
  }

  async function currentSubscription() {
    const registration = await navigator.serviceWorker.register(form.dataset.worker, {scope: "/"});
    await navigator.serviceWorker.ready;
    return [registration, await registration.pushManager.getSubscription()];
  }

  function show(subscribed) {
    button.textContent = subscribed ? form.dataset.offLabel : form.dataset.onLabel;
    button.dataset.subscribed = subscribed ? "1" : "0";
  }

  form.hidden = false;
  currentSubscription().then(([, subscription]) => show(Boolean(subscription)), () => show(false));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = "";
    try {
      const [registration, existing] = await currentSubscription();
      if (existing) {
        await post(form.dataset.removeUrl, {endpoint: existing.endpoint});
        await existing.unsubscribe();
        show(false);
      } else {
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(form.dataset.key),
        });
        await post(form.action, subscription.toJSON());
        show(true);
      }
      status.textContent = form.dataset.doneLabel;
    } catch (error) {
      status.textContent = form.dataset.failedLabel;
    } finally {
      button.disabled = false;
    }
  });
})();
