// Shared by the suites: a seeded PRNG, byte helpers, expectations on
// StrataErrors, and direct access to the IndexedDB records IDBFS keeps ({timestamp, mode, contents} under the
// file's absolute path in object store 'FILE_DATA' of the IndexedDB
// database named after the mount point, /stratadb/<name>).
import { expect } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { type Runtime, StrataError, type StrataErrorCode, createRuntime } from '../dist/node.js';

export const STORE = 'FILE_DATA';
export const idbName = (name: string): string => `/stratadb/${name}`;

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from STRATA_SEED, or a random one; printed so a failure can be replayed. */
export function seedFor(what: string): number {
  const env = process.env.STRATA_SEED;
  const seed = env !== undefined && env !== '' ? Number(env) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  console.log(`${what}: seed ${seed} (replay with STRATA_SEED=${seed})`);
  return seed;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const utf8 = new TextEncoder();
export const bytesOf = (x: string | Uint8Array): Uint8Array => (typeof x === 'string' ? utf8.encode(x) : x);
export const hex = (x: Uint8Array): string => Buffer.from(x).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 256) | 0;
  return out;
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function txDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** Opens an IndexedDB database (its current version unless given). */
export function openIdb(
  factory: IDBFactory,
  name: string,
  version?: number,
  upgrade?: (db: IDBDatabase) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = version === undefined ? factory.open(name) : factory.open(name, version);
    req.onupgradeneeded = () => upgrade?.(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`open ${name} blocked`));
  });
}

export interface FileRecord {
  timestamp: Date;
  mode: number;
  contents: Uint8Array;
}

export async function databaseNames(factory: IDBFactory): Promise<string[]> {
  return (await factory.databases()).map((d) => d.name ?? '');
}

/** Every record of the stored database `name`, by path (empty if it does not exist). */
export async function storedFiles(factory: IDBFactory, name: string): Promise<Map<string, FileRecord>> {
  const out = new Map<string, FileRecord>();
  if (!(await databaseNames(factory)).includes(idbName(name))) return out;
  const db = await openIdb(factory, idbName(name));
  try {
    if (!db.objectStoreNames.contains(STORE)) return out;
    const store = db.transaction(STORE, 'readonly').objectStore(STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    keys.forEach((k, i) => out.set(String(k), values[i] as FileRecord));
  } finally {
    db.close();
  }
  return out;
}

/** The names (not paths) of the stored files of database `name`, sorted. */
export async function storedNames(factory: IDBFactory, name: string): Promise<string[]> {
  const prefix = `${idbName(name)}/`;
  return [...(await storedFiles(factory, name)).keys()]
    .map((p) => {
      if (!p.startsWith(prefix)) throw new Error(`stored path ${p} is outside ${prefix}`);
      return p.slice(prefix.length);
    })
    .sort();
}

/**
 * A crash at this instant: a new IDBFactory holding a copy of what the
 * stored database `name` holds now, i.e. every commit transaction created
 * before this call (IndexedDB runs a later readonly transaction after the
 * earlier readwrite ones on the same store). The runtime that wrote it may
 * go on, against the original factory, without touching the copy.
 */
export async function crashCopy(factory: IDBFactory, name: string): Promise<IDBFactory> {
  const copy = new IDBFactory();
  const source = await openIdb(factory, idbName(name));
  let keys: IDBValidKey[] = [];
  let values: unknown[] = [];
  const version = source.version;
  try {
    if (source.objectStoreNames.contains(STORE)) {
      const store = source.transaction(STORE, 'readonly').objectStore(STORE);
      [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    }
  } finally {
    source.close();
  }
  const target = await openIdb(copy, idbName(name), version, (db) => {
    const store = db.createObjectStore(STORE);
    store.createIndex('timestamp', 'timestamp', { unique: false });
  });
  try {
    const tx = target.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    keys.forEach((k, i) => store.put(values[i], k));
    await txDone(tx);
  } finally {
    target.close();
  }
  return copy;
}

/** The Emscripten FS of a runtime (internal: for looking at the engine's directory). */
export interface RuntimeFS {
  readdir(path: string): string[];
  readFile(path: string): Uint8Array;
  stat(path: string): { mode: number; mtime: Date; size: number };
  analyzePath(path: string): { exists: boolean };
  isFile(mode: number): boolean;
}

export function runtimeFS(runtime: Runtime): RuntimeFS {
  return (runtime as unknown as { module: { FS: RuntimeFS } }).module.FS;
}

/** The files in the engine's directory of database `name` in `runtime`, sorted. */
export function directoryNames(runtime: Runtime, name: string): string[] {
  const FS = runtimeFS(runtime);
  const dir = idbName(name);
  if (!FS.analyzePath(dir).exists) return [];
  return FS.readdir(dir)
    .filter((n) => n !== '.' && n !== '..')
    .sort();
}

/** A fresh runtime (wasm instance) persisting to factory (deleting runs of files as key ranges). */
export function freshRuntime(factory: IDBFactory): Promise<Runtime> {
  return createRuntime({ indexedDB: factory, IDBKeyRange });
}

/** The live table files of an open handle, by its stats. */
export function liveTables(stats: { levels: { tables: { number: number }[] }[] }): string[] {
  return stats.levels
    .flatMap((l) => l.tables.map((t) => `${String(t.number).padStart(6, '0')}.sst`))
    .sort();
}

interface Settleable {
  sync(): Promise<void>;
  stats(): { immutableMemtable: boolean; compactionsRunning: number; levels: { score: number }[] };
}

/**
 * Waits until db has no background work (flush or compaction) left, then
 * commits: afterwards the store holds the engine's whole state, and no
 * timer of db changes a file until the next write. Background work runs
 * only after a write (flush() and compact() schedule none): write first.
 */
export async function settle(db: Settleable): Promise<void> {
  const idle = (s: ReturnType<Settleable['stats']>) =>
    !s.immutableMemtable && s.compactionsRunning === 0 && s.levels.every((l) => l.score < 1);
  for (let i = 0; i < 1000; i++) {
    await sleep(1);
    if (!idle(db.stats())) continue;
    await db.sync();
    return;
  }
  throw new Error('background work did not settle');
}

export function expectStrataError(e: unknown, code: StrataErrorCode): void {
  expect(e, `expected a StrataError ${code}, got ${String(e)}`).toBeInstanceOf(StrataError);
  expect(e).toBeInstanceOf(Error);
  expect((e as StrataError).name).toBe('StrataError');
  expect((e as StrataError).code, (e as StrataError).message).toBe(code);
  expect(typeof (e as StrataError).message).toBe('string');
}

/** f() must throw a StrataError `code` synchronously. */
export function expectThrows(f: () => unknown, code: StrataErrorCode): void {
  let threw = false;
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    threw = true;
    expectStrataError(e, code);
  }
  if (result instanceof Promise) result.catch(() => {});
  expect(threw, `expected a synchronous throw of ${code}, got ${String(result)}`).toBe(true);
}

/** f() must return a promise rejected with a StrataError `code`, and not throw. */
export async function expectRejects(f: () => unknown, code: StrataErrorCode): Promise<StrataError> {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    throw new Error(`threw synchronously instead of rejecting: ${String(e)}`);
  }
  expect(result, 'expected a promise').toBeInstanceOf(Promise);
  const error = await (result as Promise<unknown>).then(
    () => {
      throw new Error(`resolved; expected a rejection with ${code}`);
    },
    (e: unknown) => e,
  );
  expectStrataError(error, code);
  return error as StrataError;
}
