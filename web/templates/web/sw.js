// Greenroom's service worker: shows the programme-change notices pushed to this device and
// opens the session's page when one is clicked. It caches nothing: the site stays online-only.
"use strict";

self.addEventListener("push", (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch (error) {
    notice = {body: event.data ? event.data.text() : ""};
  }
  event.waitUntil(
    self.registration.showNotification(notice.title || "Greenroom", {
      body: notice.body || "",
      icon: "{{ icon|escapejs }}",
      data: {url: notice.url || "/"},
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only pages of this site are opened, whatever a payload says.
  const url = new URL(event.notification.data.url, self.location.origin);
  const target = url.origin === self.location.origin ? url.href : self.location.origin + "/";
  event.waitUntil(
    self.clients.matchAll({type: "window", includeUncontrolled: true}).then((windows) => {
      const open = windows.find((client) => client.url === target);
      return open ? open.focus() : self.clients.openWindow(target);
    })
  );
});
