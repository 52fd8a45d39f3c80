// The raw IndexedDB side of the benchmark: one object store `kv` with
// string keys and Uint8Array values, used the way an application would
// (a transaction per awaited write, per batch, per read).
import type { BenchTarget } from './runner.js';

const STORE = 'kv';

export function openIdb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`opening IndexedDB ${name} failed`));
    request.onblocked = () => reject(new Error(`opening IndexedDB ${name} is blocked`));
  });
}

export function deleteIdb(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error ?? new Error(`deleting IndexedDB ${name} failed`));
  });
}

function commit(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = (e) => e.preventDefault(); // reported by onabort
  });
}

export function idbTarget(db: IDBDatabase): BenchTarget {
  return {
    side: 'indexeddb',
    putAwaited: (key, value) => {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      tx.objectStore(STORE).put(value, key);
      return commit(tx);
    },
    putBatch: (entries) => {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const store = tx.objectStore(STORE);
      for (const [key, value] of entries) store.put(value, key);
      return commit(tx);
    },
    prepareReads: async () => {},
    // The browser's own background work (its store's compactions) cannot be waited for.
    settle: async () => true,
    get: (key) =>
      new Promise<unknown>((resolve, reject) => {
        const request = db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB get failed'));
      }),
    scan: (visit) =>
      new Promise<{ entries: number; bytes: number }>((resolve, reject) => {
        let entries = 0;
        let bytes = 0;
        const request = db.transaction(STORE, 'readonly').objectStore(STORE).openCursor();
        request.onsuccess = () => {
          const cursor = request.result;
          if (!cursor) return resolve({ entries, bytes });
          entries++;
          bytes += (cursor.value as Uint8Array).length;
          if (visit(entries)) cursor.continue();
          else resolve({ entries, bytes });
        };
        request.onerror = () => reject(request.error ?? new Error('IndexedDB cursor failed'));
      }),
  };
}
