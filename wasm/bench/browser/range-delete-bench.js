// What a commit that replaces many small files costs IndexedDB, in a store
// shaped as IDBFS's (records { timestamp, mode, contents } keyed by path, a
// 'timestamp' index): the commit of a WAL consolidation puts one 4.4 KB
// segment and deletes the 33 it replaces, as 33 single deletes or as one
// key-range delete (wasm/src/storage.ts, deletionRuns); beside it, the
// same put alone. Each round stores 33 fresh 137-byte files per case
// first. Medians of the commit times land in window.benchResults.
const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 60);
const FILES = Number(params.get('files') ?? 33);
const durability = params.get('durability') ?? 'strict';
const path = (i) => `/stratadb/bench/${String(i).padStart(6, '0')}.wal`;
const file = (bytes) => ({ timestamp: new Date(), mode: 33206, contents: new Uint8Array(bytes).fill(7) });

async function run() {
  const request = indexedDB.open(`range-delete-${Date.now()}`, 1);
  request.onupgradeneeded = () => {
    request.result.createObjectStore('FILE_DATA').createIndex('timestamp', 'timestamp', { unique: false });
  };
  const db = await new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const commit = (fill) =>
    new Promise((resolve, reject) => {
      const tx = db.transaction('FILE_DATA', 'readwrite', { durability });
      fill(tx.objectStore('FILE_DATA'));
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
  const times = { single: [], range: [], putOnly: [] };
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of Object.keys(times)) {
      const first = next;
      for (let i = 0; i < FILES; i++) await commit((store) => store.put(file(137), path(next++)));
      const start = performance.now();
      await commit((store) => {
        if (mode === 'single') for (let i = first; i < first + FILES; i++) store.delete(path(i));
        if (mode === 'range') store.delete(IDBKeyRange.bound(path(first), path(first + FILES - 1)));
        store.put(file(4411), path(next++));
      });
      times[mode].push(performance.now() - start);
    }
  }
  // Every file a delete named is gone; the others stay.
  const left = await new Promise((resolve) => {
    const req = db.transaction('FILE_DATA').objectStore('FILE_DATA').count();
    req.onsuccess = () => resolve(req.result);
  });
  if (left !== ROUNDS * (FILES + 3)) throw new Error(`wrong result: ${left} files left`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  window.benchResults = Object.entries(times).map(([mode, xs]) => ({ mode, medianMs: median(xs) }));
}
run().catch((e) => (window.benchResults = { error: String(e.stack ?? e) }));
