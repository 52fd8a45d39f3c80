// What a commit of WAL segments costs IndexedDB, in a store shaped as
// StrataDB's, which are IDBFS's (records { timestamp, mode, contents } keyed
// by path, and an index of the timestamps; wasm/src/storage.ts) and, beside
// it, in the same store without the index (which only IDBFS's loader reads):
// - the commit of a WAL consolidation puts one 4.4 KB segment and deletes
//   the 33 it replaces, as 33 single deletes or as one key-range delete
//   (deletionRuns in wasm/src/storage.ts); beside it, the same put alone,
//   in either store;
// - the commit of one durable put stores one 137-byte segment: each round
//   times 33 of them per store, the two stores in turns (then stores 33 more
//   untimed before each consolidation case, for its deletes to name).
// Medians of the commit times land in window.benchResults.
const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 60);
const FILES = Number(params.get('files') ?? 33);
const durability = params.get('durability') ?? 'strict';
const path = (i) => `/stratadb/bench/${String(i).padStart(6, '0')}.wal`;
const file = (bytes) => ({ timestamp: new Date(), mode: 33206, contents: new Uint8Array(bytes).fill(7) });

function openStore(withIndex) {
  const request = indexedDB.open(`range-delete-${withIndex ? 'indexed' : 'plain'}-${Date.now()}`, 1);
  request.onupgradeneeded = () => {
    const store = request.result.createObjectStore('FILE_DATA');
    if (withIndex) store.createIndex('timestamp', 'timestamp', { unique: false });
  };
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run() {
  const stores = { plain: await openStore(false), indexed: await openStore(true) };
  const commit = (db, fill) =>
    new Promise((resolve, reject) => {
      const tx = db.transaction('FILE_DATA', 'readwrite', { durability });
      fill(tx.objectStore('FILE_DATA'));
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
  const timed = async (list, db, fill) => {
    const start = performance.now();
    await commit(db, fill);
    list.push(performance.now() - start);
  };
  const cases = { single: 'indexed', range: 'indexed', putOnly: 'indexed', putOnlyPlain: 'plain' };
  const times = { single: [], range: [], putOnly: [], putOnlyPlain: [], small: [], smallPlain: [] };
  let next = 0;
  const putSmall = (store) => store.put(file(137), path(next++));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < FILES; i++) {
      await timed(times.small, stores.indexed, putSmall);
      await timed(times.smallPlain, stores.plain, putSmall);
    }
    for (const [mode, shape] of Object.entries(cases)) {
      const db = stores[shape];
      const first = next;
      for (let i = 0; i < FILES; i++) await commit(db, putSmall);
      await timed(times[mode], db, (store) => {
        if (mode === 'single') for (let i = first; i < first + FILES; i++) store.delete(path(i));
        if (mode === 'range') store.delete(IDBKeyRange.bound(path(first), path(first + FILES - 1)));
        store.put(file(4411), path(next++));
      });
    }
  }
  // Every file a delete named is gone; the others stay.
  const count = (db) =>
    new Promise((resolve) => {
      const req = db.transaction('FILE_DATA').objectStore('FILE_DATA').count();
      req.onsuccess = () => resolve(req.result);
    });
  const left = [await count(stores.indexed), await count(stores.plain)];
  const expected = [ROUNDS * (2 * FILES + 3), ROUNDS * (2 * FILES + 1)];
  if (left[0] !== expected[0] || left[1] !== expected[1]) throw new Error(`wrong result: ${left.join(' and ')} files left`);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  window.benchResults = Object.entries(times).map(([mode, xs]) => ({ mode, medianMs: median(xs) }));
}
run().catch((e) => (window.benchResults = { error: String(e.stack ?? e) }));
