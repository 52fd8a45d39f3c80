// A compaction worker storing its outputs in the database's IndexedDB
// database itself, before it answers: the clone of megabytes of new tables
// for IndexedDB then holds the worker's thread, not the database's. (In
// Chromium 156 here, a page putting 70 MB of random bytes in 512 KiB records
// stalled for 310 - 540 ms at times, one put's call taking 25 ms for 4 ms of
// CPU; the same puts from a worker left the page's longest stall at 11 - 35
// ms. See README, "compact() on an in-page handle".)
//
// The records are IDBFS's (storage.ts), so the database's next commit need
// not store the files again (Storage.storedAhead). They are stored before
// the manifest edit that installs them, as a commit between the installs of
// a job's outputs may store them too (background.ts); files that no manifest
// names are deleted by the engine at the next open, or by close()
// (Storage.removeUnlisted).
import type { IdbDurability } from './storage.js';

/** The database's IndexedDB store, as IndexedDbStorage writes it. */
export interface OutputStore {
  database: string; // IDBFS names it after the mount point
  version: number;
  objectStore: string;
  durability: IdbDurability;
}

/**
 * Stores files as IDBFS records, in one transaction: all or none. Rejects
 * if the database is not there at that version (it was deleted or
 * upgraded): it is never created here.
 */
export async function storeFiles(
  factory: IDBFactory,
  where: OutputStore,
  files: readonly { path: string; bytes: Uint8Array; mode: number }[],
): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(where.database, where.version);
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${where.database}`));
    request.onblocked = () => reject(new Error(`${where.database} is being deleted or upgraded`));
  });
  db.onversionchange = () => db.close();
  try {
    await new Promise<void>((resolve, reject) => {
      const options = where.durability === 'default' ? undefined : { durability: where.durability };
      const tx = db.transaction([where.objectStore], 'readwrite', options);
      const store = tx.objectStore(where.objectStore);
      const timestamp = new Date();
      // Two puts in flight, the next from a put's success: all at once, the
      // browser's IPC thread (which moves each value to the IndexedDB
      // backend) took a core for a second and more, and the page waited.
      let next = 0;
      const put = () => {
        const file = files[next++];
        if (file) store.put({ timestamp, mode: file.mode, contents: file.bytes }, file.path).onsuccess = put;
      };
      put();
      put();
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
    });
  } finally {
    db.close();
  }
}
