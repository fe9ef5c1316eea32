// Offline after the first visit: the page's own files are cached on install and served from
// the cache first. The cache name carries the build id (pkg/build-id.js, written by
// scripts/build-wasm.sh from the files' hash), so a new deployment installs a new cache and
// removes the old one. Requests to other origins are never made by the page; they are left alone.
importScripts('pkg/build-id.js');

const CACHE = `accrochage-${self.BUILD_ID || 'dev'}`;
const FILES = [
  './',
  'index.html',
  'style.css',
  'app.js',
  'accuse.js',
  'dom.js',
  'engine.js',
  'params.js',
  'table.js',
  'worker.js',
  'zip.js',
  'pkg/accrochage.js',
  'pkg/accrochage_bg.wasm',
  'pkg/build-id.js',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((c) => c.addAll(FILES.map((f) => new Request(f, { cache: 'reload' })))).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('accrochage-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(req, { ignoreSearch: true });
      if (hit) return hit;
      const res = await fetch(req);
      if (res.ok && res.type === 'basic') cache.put(req, res.clone());
      return res;
    }),
  );
});
