/* The engine worker's first script (a classic worker script): SystemJS with the page's import map, then
   the toolkit's worker module (web/engine-worker.ts); jobs that arrive meanwhile are queued for it. */
/* global importScripts, System */
importScripts('vendor/system.js', 'vendor/amd.js');
const queued = [];
self.onmessage = (e) => queued.push(e.data);
fetch('importmap.json')
  .then((r) => r.json())
  .then((map) => {
    System.addImportMap(map, new URL('importmap.json', self.location.href).href);
    return System.import('nla/web/engine-worker.js');
  })
  .then((m) => m.start(queued))
  .catch((e) => self.postMessage({ type: 'error', id: -1, message: 'the engine worker did not start: ' + (e && e.message ? e.message : String(e)) }));
