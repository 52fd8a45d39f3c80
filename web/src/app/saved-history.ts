// What the dashboard saw of each database, kept across reloads: log
// entries, compaction history rows and chart points, in an IndexedDB
// database of the dashboard's own ("stratadb-dashboard"; the package's
// databases are named "/stratadb/<name>", so list() never shows it).
//
// One object store, keyed [database, kind, seq] so each database's records
// of each kind are one key range, in order: logs by time, rows by their
// start (a row that changes, a stall that ended, is put again under the same
// key), points by time. Writes are queued and stored together every
// FLUSH_MS in one transaction, never one per event; after each, a kind
// above its bound loses its oldest records. Only a writer tab saves; a
// viewer reads what the writer saved.
import type { HistoryRow } from '../model/compaction-history.js';
import type { LogEntry } from '../model/event-log.js';
import type { RatePoint } from '../model/rates.js';

export type RecordKind = 'log' | 'row' | 'point';
type Seq = number | string;

/** Records kept per database and kind. */
export const SAVED_LIMITS: Readonly<Record<RecordKind, number>> = { log: 3000, row: 600, point: 1200 };
export const FLUSH_MS = 2000;
const DB_NAME = 'stratadb-dashboard';
const STORE = 'history';

interface Saved {
  db: string;
  kind: RecordKind;
  seq: Seq;
  value: unknown;
}

export interface SavedRecords {
  logs: LogEntry[];
  rows: HistoryRow[];
  points: RatePoint[];
}

const request = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });

const range = (db: string, kind: RecordKind) => IDBKeyRange.bound([db, kind], [db, kind, []]);

export class SavedHistory {
  private readonly queue = new Map<string, Saved>();
  private opened: Promise<IDBDatabase | undefined> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly factory: IDBFactory | undefined = globalThis.indexedDB) {
    if (typeof document !== 'undefined') {
      // Leaving the page: store what is queued now.
      addEventListener('pagehide', () => void this.flush());
      document.addEventListener('visibilitychange', () => document.hidden && void this.flush());
    }
  }

  /** Queues a record (the same db, kind and seq again replaces it). */
  put(db: string, kind: RecordKind, seq: Seq, value: unknown): void {
    this.queue.set(`${db}\u0000${kind}\u0000${typeof seq}:${seq}`, { db, kind, seq, value });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Stores what is queued. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.size === 0) return this.writing;
    const batch = [...this.queue.values()];
    this.queue.clear();
    this.writing = this.writing.then(() => this.store(batch)).catch((e: unknown) => console.warn('saving the dashboard history failed', e));
    return this.writing;
  }

  /**
   * The records of `db`, oldest first; with `after`, only the log entries
   * and points saved after those seqs (a viewer's reload).
   */
  async load(db: string, after: { log?: number; point?: number } = {}): Promise<SavedRecords> {
    const idb = await this.database();
    if (!idb) return { logs: [], rows: [], points: [] };
    await this.flush();
    const tx = idb.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const since = (kind: 'log' | 'point') => {
      const seq = after[kind];
      return seq === undefined ? range(db, kind) : IDBKeyRange.bound([db, kind, seq], [db, kind, []], true);
    };
    const [logs, rows, points] = await Promise.all([
      request(store.getAll(since('log'))) as Promise<Saved[]>,
      request(store.getAll(range(db, 'row'))) as Promise<Saved[]>,
      request(store.getAll(since('point'))) as Promise<Saved[]>,
    ]);
    const values = <T>(records: Saved[] | undefined) => (records ?? []).map((r) => r.value as T);
    return { logs: values<LogEntry>(logs), rows: values<HistoryRow>(rows), points: values<RatePoint>(points) };
  }

  /** Forgets everything saved about `db` (and what is queued for it). */
  async clear(db: string): Promise<void> {
    for (const [key, record] of this.queue) if (record.db === db) this.queue.delete(key);
    await this.writing;
    const idb = await this.database();
    if (!idb) return;
    const tx = idb.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(IDBKeyRange.bound([db], [db, []]));
    await done(tx);
  }

  private database(): Promise<IDBDatabase | undefined> {
    this.opened ??= new Promise<IDBDatabase | undefined>((resolve) => {
      if (!this.factory) return resolve(undefined);
      try {
        const open = this.factory.open(DB_NAME, 1);
        open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: ['db', 'kind', 'seq'] });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => resolve(undefined);
        open.onblocked = () => resolve(undefined);
      } catch {
        resolve(undefined);
      }
    });
    return this.opened;
  }

  private async store(batch: Saved[]): Promise<void> {
    const idb = await this.database();
    if (!idb) return;
    const tx = idb.transaction(STORE, 'readwrite', { durability: 'relaxed' });
    const store = tx.objectStore(STORE);
    for (const record of batch) store.put(record);
    // Each kind written to keeps only its newest records.
    const touched = new Map<string, { db: string; kind: RecordKind }>();
    for (const { db, kind } of batch) touched.set(`${db}\u0000${kind}`, { db, kind });
    for (const { db, kind } of touched.values()) {
      const limit = SAVED_LIMITS[kind];
      void request(store.count(range(db, kind))).then((count) => {
        const extra = count - limit;
        if (extra <= 0) return;
        const keys = store.getAllKeys(range(db, kind), extra);
        keys.onsuccess = () => {
          const last = keys.result[keys.result.length - 1];
          if (last !== undefined) store.delete(IDBKeyRange.bound([db, kind], last));
        };
      });
    }
    await done(tx);
  }
}
