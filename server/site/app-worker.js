// e2eecall's service worker (go-app's ServiceWorkerTemplate). It caches the
// files the page loads as the page loads them, never the page itself nor
// the API, so a first visit downloads app.wasm once and a repeat visit takes
// it from here. A new build has a new version, hence a new cache.
const cacheName = "app-" + "{{.Version}}";

self.addEventListener("install", (event) => {
  event.waitUntil(self.skipWaiting());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== cacheName) {
        await caches.delete(key);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin ||
      event.request.mode === "navigate" || url.pathname.startsWith("/api/")) {
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(cacheName);
    const cached = await cache.match(event.request);
    if (cached) {
      return cached;
    }
    const response = await fetch(event.request);
    if (response.ok) {
      await cache.put(event.request, response.clone());
    }
    return response;
  })());
});
