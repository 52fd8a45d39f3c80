// IndexedDB failing during a commit (quota exceeded, or any other error):
// the writes waiting on the commit reject with QuotaExceeded or IOError,
// the handle turns read-only with the same code, reads go on, and nothing
// acknowledged durable before the failure is lost: it is readable in the
// handle, after reopening in the same runtime, and in a fresh runtime.
//
// Faults are injected by wrapping fake-indexeddb's IDBObjectStore.prototype.put
// for one test at a time:
// - 'request': the put's request fails with a DOMException of the given
//   name, which aborts the transaction with that error (what a browser does
//   when the quota is exceeded);
// - 'throw': put throws synchronously (what a browser does for a value it
//   refuses at once, e.g. one too large to serialize);
// - 'abort': the transaction is aborted without an error.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory, IDBObjectStore } from 'fake-indexeddb';
import { type Database, type OpenOptions, StrataError, type StrataErrorCode } from '../dist/node.js';
import { freshRuntime, prng, randomBytes, settle } from './helpers.js';

const KiB = 1024;

type Fault =
  | { kind: 'request'; error: string }
  | { kind: 'throw'; error: () => unknown }
  | { kind: 'abort' };

interface Injected {
  /** Puts that failed, by path. */
  failed: string[];
}

const originalPut = IDBObjectStore.prototype.put;

afterEach(() => {
  IDBObjectStore.prototype.put = originalPut;
});

/**
 * Makes the puts that `which` picks (by path, and index of the put in its
 * transaction) fail with `fault`, until removeFault().
 */
function injectFault(fault: Fault, which: (path: string, index: number) => boolean = () => true): Injected {
  const injected: Injected = { failed: [] };
  const counts = new WeakMap<IDBTransaction, number>();
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    const tx = this.transaction;
    const index = counts.get(tx) ?? 0;
    counts.set(tx, index + 1);
    const path = String(key);
    if (!which(path, index)) return originalPut.call(this, value, key);
    injected.failed.push(path);
    if (fault.kind === 'throw') throw fault.error();
    const req = originalPut.call(this, value, key);
    if (fault.kind === 'abort') {
      tx.abort();
    } else {
      // The request fails when it runs: fake-indexeddb fires its error
      // event and aborts the transaction with the error, as a browser does.
      const entry = (tx as unknown as { _requests: { request: unknown; operation: () => unknown }[] })._requests.find(
        (r) => r.request === req,
      );
      if (!entry) throw new Error('fake-indexeddb internals changed: request not found');
      entry.operation = () => {
        throw new DOMException(`injected ${fault.error}`, fault.error);
      };
    }
    return req;
  } as typeof IDBObjectStore.prototype.put;
  return injected;
}

function removeFault(): void {
  IDBObjectStore.prototype.put = originalPut;
}

const quotaRequest: Fault = { kind: 'request', error: 'QuotaExceededError' };
const quotaThrow: Fault = { kind: 'throw', error: () => new DOMException('quota', 'QuotaExceededError') };
const unknownRequest: Fault = { kind: 'request', error: 'UnknownError' };
const genericThrow: Fault = { kind: 'throw', error: () => new Error('the disk is on fire') };
const abortTx: Fault = { kind: 'abort' };

async function rejection(p: Promise<unknown>): Promise<StrataError> {
  const outcome = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome, 'expected a rejection').toBeInstanceOf(StrataError);
  return outcome as StrataError;
}

async function expectRejectsWith(p: Promise<unknown>, code: StrataErrorCode): Promise<void> {
  expect((await rejection(p)).code).toBe(code);
}

type Db = Database<'utf8', 'utf8'>;

/** Durable writes, awaited, so that the database has WAL segments, tables and a manifest. */
async function writeAcknowledged(db: Db, model: Map<string, string>, seed: number): Promise<void> {
  const rand = prng(seed);
  for (let i = 0; i < 200; i++) {
    const k = `a${(rand() * 150) | 0}`;
    if (rand() < 0.85) {
      const v = `${i}:${Buffer.from(randomBytes(rand, 200 + ((rand() * 800) | 0))).toString('base64')}`;
      await db.put(k, v);
      model.set(k, v);
    } else {
      await db.delete(k);
      model.delete(k);
    }
    if (i === 120) await db.flush();
  }
  await db.batch([
    { type: 'put', key: 'batch1', value: 'one' },
    { type: 'put', key: 'batch2', value: 'two' },
  ]);
  model.set('batch1', 'one').set('batch2', 'two');
}

/** db holds every key of model with its value; keys in maybe may hold their value or be absent. */
function expectHolds(db: Db, model: Map<string, string>, maybe: Map<string, string> = new Map()): void {
  for (const [k, v] of model) if (!maybe.has(k)) expect(db.get(k), `acknowledged key ${k}`).toBe(v);
  for (const { key, value } of db.scan()) {
    if (maybe.has(key)) {
      expect(value === maybe.get(key) || value === model.get(key), `key ${key}`).toBe(true);
    } else {
      expect(model.get(key), `scanned key ${key}`).toBe(value);
    }
  }
}

async function expectRefusesWrites(db: Db, code: StrataErrorCode): Promise<void> {
  expect(db.readOnlyError).toBeInstanceOf(StrataError);
  expect(db.readOnlyError!.code).toBe(code);
  await expectRejectsWith(db.put('later', 'x'), code);
  await expectRejectsWith(db.put('later', 'x', { durable: false }), code);
  await expectRejectsWith(db.delete('a1'), code);
  await expectRejectsWith(db.batch([{ type: 'put', key: 'later', value: 'x' }]), code);
  await expectRejectsWith(db.flush(), code);
  await expectRejectsWith(db.compact(), code);
  await expectRejectsWith(db.sync(), code);
  expect(db.get('later')).toBeUndefined();
}

/** Reads go on: get, scan, reverse scan, iterator, snapshot, stats. */
function expectReadable(db: Db, model: Map<string, string>, maybe: Map<string, string>): void {
  expectHolds(db, model, maybe);
  const forward = db.scan();
  expect(db.scan({ reverse: true })).toEqual([...forward].reverse());
  const snapshot = db.snapshot();
  expect(db.scan({ snapshot })).toEqual(forward);
  snapshot.release();
  let n = 0;
  for (const _ of db.iterator({ limit: 10 })) n++;
  expect(n).toBe(Math.min(10, forward.length));
  expect(db.stats().lastSequence).toBeGreaterThan(0);
}

interface Scenario {
  fault: Fault;
  which?: (path: string, index: number) => boolean;
  code: StrataErrorCode;
  /** The write whose commit fails; its keys go to maybe. */
  trigger: (db: Db, maybe: Map<string, string>) => Promise<unknown>;
  options?: OpenOptions;
}

/**
 * Acknowledged durable writes, then a fault, then the trigger's commit
 * fails. Checks the rejection, the read-only handle, reads, and the data
 * after reopening (same runtime, then a fresh one) with the fault removed.
 */
async function runScenario(name: string, s: Scenario): Promise<Injected> {
  const factory = new IDBFactory();
  const runtime = await freshRuntime(factory);
  const options: OpenOptions = { memtableBytes: 64 * KiB, ...s.options };
  const db = await runtime.open(name, options);
  const model = new Map<string, string>();
  await writeAcknowledged(db, model, 42);
  await db.put('kick', 'v'); // background work left by the flush, if any
  model.set('kick', 'v');
  await settle(db);
  const maybe = new Map<string, string>();
  const injected = injectFault(s.fault, s.which);
  const error = await rejection(s.trigger(db, maybe));
  expect(injected.failed.length, 'the fault was hit').toBeGreaterThan(0);
  expect(error.code).toBe(s.code);
  await expectRefusesWrites(db, s.code);
  expectReadable(db, model, maybe);
  removeFault();
  // Still read-only: the failure is not forgotten when storage recovers.
  await expectRejectsWith(db.put('later', 'x'), s.code);
  await db.close().catch(() => {}); // whether close reports the old failure is tested below

  const same = await runtime.open(name, options);
  expectHolds(same, model, maybe);
  await same.close();
  const fresh = await freshRuntime(factory);
  const again = await fresh.open(name, options);
  expectHolds(again, model, maybe);
  // And it is writable again.
  await again.put('after', 'recovery');
  expect(again.get('after')).toBe('recovery');
  await again.close();
  return injected;
}

const putOne = (db: Db, maybe: Map<string, string>) => {
  maybe.set('failing', 'value');
  return db.put('failing', 'value');
};

const flushMany = async (db: Db, maybe: Map<string, string>) => {
  // A commit of many files: WAL segments, a table, a manifest and CURRENT.
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 40; i++) {
    maybe.set(`f${i}`, `flushed ${i}`);
    writes.push(db.put(`f${i}`, `flushed ${i}`, { durable: false }));
  }
  await Promise.all(writes);
  return db.flush();
};

describe('quota exceeded during a commit', () => {
  it('the transaction aborts with QuotaExceededError: the durable write rejects QuotaExceeded; acknowledged writes survive', async () => {
    await runScenario('quota-request', { fault: quotaRequest, code: 'QuotaExceeded', trigger: putOne });
  });

  it('a commit of many files aborts on its manifest: nothing of it is stored, acknowledged writes survive', async () => {
    const injected = await runScenario('quota-manifest', {
      fault: quotaRequest,
      which: (path) => path.includes('MANIFEST-'),
      code: 'QuotaExceeded',
      trigger: flushMany,
    });
    expect(injected.failed.some((p) => p.includes('MANIFEST-'))).toBe(true);
  });

  it('put throws QuotaExceededError at once, on the first put of the commit', async () => {
    await runScenario('quota-throw-first', {
      fault: quotaThrow,
      which: (_path, index) => index === 0,
      code: 'QuotaExceeded',
      trigger: putOne,
    });
  });

  // Regression (wasm/src/storage.ts, IndexedDbStorage.commit): when
  // store.put() threw synchronously after earlier puts/deletes of the same
  // commit were queued, the catch block rejected the commit but did not
  // abort the transaction, so IndexedDB committed the part queued so far. Here the
  // flush's commit (sorted paths: WAL deletes, the table, CURRENT, then the
  // MANIFEST) stored the new CURRENT and deleted the WAL segments but not
  // the MANIFEST that CURRENT names: the next open failed with "Corruption:
  // CURRENT names a missing manifest", losing every acknowledged write.
  it('put throws QuotaExceededError at once on a later put: the commit does not land in part', async () => {
    await runScenario('quota-throw-manifest', {
      fault: quotaThrow,
      which: (path) => path.includes('MANIFEST-'),
      code: 'QuotaExceeded',
      trigger: flushMany,
    });
  });

  // The same regression with a generic error on the second put of the
  // flush's commit (the table is put, CURRENT throws): the WAL deletes and
  // the table landed without the manifest naming the table, so acknowledged
  // writes that were in those WAL segments were gone after reopening.
  it('put throws a generic error at once on its second put: the commit does not land in part', async () => {
    await runScenario('generic-throw-second', {
      fault: genericThrow,
      which: (_path, index) => index === 1,
      code: 'IOError',
      trigger: flushMany,
    });
  });

  it('writers waiting on the failed commit and writers arriving during it all reject', async () => {
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open('quota-waiters');
    await db.put('acknowledged', 'yes');
    injectFault(quotaRequest);
    const first = Array.from({ length: 5 }, (_, i) => db.put(`w${i}`, 'v'));
    await new Promise((r) => setImmediate(r)); // the commit is in flight
    const second = [db.put('late', 'v'), db.sync()];
    for (const p of [...first, ...second]) await expectRejectsWith(p, 'QuotaExceeded');
    removeFault();
    expect(db.get('acknowledged')).toBe('yes');
    await db.close().catch(() => {});
    const again = await (await freshRuntime(factory)).open('quota-waiters');
    expect(again.get('acknowledged')).toBe('yes');
    await again.close();
  });
});

describe('other IndexedDB failures during a commit', () => {
  it('a request failing with another error aborts the commit: IOError', async () => {
    await runScenario('unknown-request', { fault: unknownRequest, code: 'IOError', trigger: putOne });
  });

  it('a generic error thrown by the first put: IOError', async () => {
    await runScenario('generic-throw-first', {
      fault: genericThrow,
      which: (_path, index) => index === 0,
      code: 'IOError',
      trigger: putOne,
    });
  });

  it('the transaction aborted without an error: IOError', async () => {
    await runScenario('abort', { fault: abortTx, code: 'IOError', trigger: flushMany });
  });

  it('a failed timer commit of deferred writes makes the handle read-only; synced writes survive', async () => {
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const options: OpenOptions = { durability: 'deferred', commitIntervalMs: 5, memtableBytes: 64 * KiB };
    const db = await runtime.open('deferred-failure', options);
    const model = new Map<string, string>();
    for (let i = 0; i < 100; i++) {
      await db.put(`s${i}`, `synced ${i}`);
      model.set(`s${i}`, `synced ${i}`);
    }
    await db.sync();
    injectFault(quotaRequest);
    const maybe = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      await db.put(`d${i}`, 'deferred'); // acknowledged at once, not durable
      maybe.set(`d${i}`, 'deferred');
    }
    await vi.waitFor(() => expect(db.readOnlyError?.code).toBe('QuotaExceeded'), { timeout: 10_000, interval: 5 });
    await expectRefusesWrites(db, 'QuotaExceeded');
    expectReadable(db, model, maybe);
    removeFault();
    await db.close().catch(() => {});
    const again = await (await freshRuntime(factory)).open('deferred-failure');
    expectHolds(again, model, maybe);
    await again.close();
  });

  // Regression (wasm/src/database.ts, Database.close): close() is
  // documented to make every write durable and to reject if the last
  // commit fails. After a failed commit it skipped the commit and resolved,
  // so a deferred writer who awaited close() was told all is well while the
  // writes it made since the last successful commit were lost.
  it('close() after a failed commit of deferred writes reports the failure', async () => {
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open('close-after-failure', { durability: 'deferred', commitIntervalMs: 5 });
    await db.put('synced', 'v');
    await db.sync();
    injectFault(quotaRequest);
    await db.put('lost', 'v');
    await vi.waitFor(() => expect(db.readOnlyError?.code).toBe('QuotaExceeded'), { timeout: 10_000, interval: 5 });
    removeFault();
    await expectRejectsWith(db.close(), 'QuotaExceeded');
  });

  it('close() rejects when its own commit fails, and closes the handle all the same', async () => {
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open('close-commit-fails', { durability: 'deferred', commitIntervalMs: 60_000 });
    await db.put('synced', 'v');
    await db.sync();
    await db.put('unsynced', 'v');
    injectFault(quotaRequest);
    await expectRejectsWith(db.close(), 'QuotaExceeded');
    expect(db.closed).toBe(true);
    await expectRejectsWith(db.put('x', 'y'), 'Closed');
    removeFault();
    const again = await runtime.open('close-commit-fails'); // the name is free again
    expect(again.get('synced')).toBe('v');
    expect(again.get('unsynced')).toBeUndefined(); // its commit failed
    await again.close();
  });

  it('a failure in the first commit of a new database leaves it empty, not broken', async () => {
    const factory = new IDBFactory();
    const runtime = await freshRuntime(factory);
    const db = await runtime.open('first-commit');
    injectFault(quotaRequest);
    await expectRejectsWith(db.put('k', 'v'), 'QuotaExceeded');
    expect(db.get('k')).toBe('v'); // applied in memory, never acknowledged
    removeFault();
    await db.close().catch(() => {});
    const again = await (await freshRuntime(factory)).open('first-commit');
    const got = again.get('k');
    expect(got === undefined || got === 'v').toBe(true);
    await again.put('k2', 'v2');
    await again.close();
    const third = await (await freshRuntime(factory)).open('first-commit');
    expect(third.get('k2')).toBe('v2');
    await third.close();
  });

  it('tells onError once when a timer commit of deferred writes fails, and stats say read-only', async () => {
    const runtime = await freshRuntime(new IDBFactory());
    const heard: StrataError[] = [];
    const db = await runtime.open('on-error', {
      durability: 'deferred',
      commitIntervalMs: 1,
      onError: (e) => heard.push(e),
    });
    await db.sync();
    injectFault(quotaRequest);
    await db.put('lost', 'v'); // acknowledged at once; its commit will fail
    for (let i = 0; i < 5000 && heard.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(heard.map((e) => e.code)).toEqual(['QuotaExceeded']);
    expect(db.readOnlyError).toBe(heard[0]);
    const stats = db.stats();
    expect(stats.readOnly).toBe(true);
    expect(stats.readOnlyReason).toContain('QuotaExceeded');
    await expectRejectsWith(db.put('after', 'v'), 'QuotaExceeded');
    removeFault();
    await expectRejectsWith(db.close(), 'QuotaExceeded');
    expect(heard.length).toBe(1);
  });
});
