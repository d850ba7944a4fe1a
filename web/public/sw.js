// parley's service worker. It exists so that a page opened without network
// shows /offline (which says parley needs the network) instead of the
// browser's error page. It caches that one page and nothing else: no API
// answer, no signed-in page, no asset; every other request goes to the
// network exactly as if there were no worker.
const CACHE = "parley-offline-v1";
const OFFLINE = "/offline";

function cacheOffline() {
  return caches.open(CACHE).then((c) => c.add(new Request(OFFLINE, { cache: "reload", credentials: "same-origin" })));
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheOffline().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const k of await caches.keys()) if (k !== CACHE) await caches.delete(k);
      // The page's request starts while the worker wakes up: no delay added to navigations.
      if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
      await self.clients.claim();
    })(),
  );
});

// The page asks for a fresh copy when the user changes the interface language.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "refresh-offline") event.waitUntil(cacheOffline());
});

self.addEventListener("fetch", (event) => {
  if (event.request.mode !== "navigate") return;
  event.respondWith(
    (async () => {
      try {
        const preloaded = await event.preloadResponse;
        return preloaded || (await fetch(event.request));
      } catch {
        return (await caches.match(OFFLINE)) || Response.error();
      }
    })(),
  );
});
