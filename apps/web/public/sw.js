// Offline once loaded: the page and its own assets (including the h5wasm worker chunk, once it
// has been fetched for a first HDF5 file) are kept in a cache and served from it when the
// network is gone. Weights the page reads (files, ?url= ranges) never pass through this cache.
const CACHE = 'tfweights-web-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

function isAppAsset(req) {
  const url = new URL(req.url);
  if (req.method !== 'GET' || req.headers.has('range') || url.origin !== location.origin) return false;
  const scope = new URL(self.registration.scope);
  if (!url.pathname.startsWith(scope.pathname)) return false;
  const rest = url.pathname.slice(scope.pathname.length);
  return req.mode === 'navigate' || rest === '' || rest === 'index.html' || rest.startsWith('assets/');
}

self.addEventListener('fetch', (e) => {
  if (!isAppAsset(e.request)) return;
  // The page is keyed without its query (?url=…); network first so a new build is picked up.
  const key = e.request.mode === 'navigate' ? new URL('./', self.registration.scope).href : e.request.url;
  e.respondWith(
    fetch(e.request).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        e.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
      }
      return res;
    }).catch(() => caches.open(CACHE).then((c) => c.match(key)).then((hit) => hit ?? Response.error())),
  );
});
