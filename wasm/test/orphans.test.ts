// A closed database stores exactly the files its manifest names (plus CURRENT,
// the manifest and live WAL segments): no compaction output that was never
// installed (nor, after a crash, once the database opened again), no
// compaction input that an iterator kept alive. Checked on the stored
// IndexedDB records themselves (fake-indexeddb), against the manifest read
// from them (stored-layout.js).
import { describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { type Database, type StrataEvent } from '../dist/node.js';
import { storeFiles } from '../dist/output-store.js';
import { crashCopy, freshRuntime, idbName, openIdb, prng, seedFor, sleep, storedFiles, storedNames } from './helpers.js';
import { checkStoredLayout } from './stored-layout.js';

const KiB = 1024;

/** The stored files of database `name`, by name, checked against its manifest. */
async function storedLayout(factory: IDBFactory, name: string) {
  const prefix = `${idbName(name)}/`;
  const files = new Map<string, Uint8Array>();
  for (const [path, record] of await storedFiles(factory, name)) files.set(path.slice(prefix.length), record.contents);
  return checkStoredLayout(files);
}

/** Writes deferred batches of random keys until `until()` holds (or fails after `max` batches). */
async function writeUntil(db: Database, seed: number, until: () => boolean, max = 400): Promise<void> {
  const rand = prng(seed);
  for (let round = 0; round < max && !until(); round++) {
    const batch = [];
    for (let i = 0; i < 100; i++) {
      batch.push({ type: 'put' as const, key: `k${String((rand() * 20000) | 0).padStart(5, '0')}`, value: 'x'.repeat(200) });
    }
    await db.batch(batch, { durable: false });
    await sleep(0); // let background work and the compaction runner go on
  }
  expect(until(), `the condition never held in ${max} batches`).toBe(true);
}

describe('a closed database stores no file that its manifest does not reference', () => {
  it('close as the first compaction output comes back: the job is dropped with its outputs', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('out', { compaction: 'instance', memtableBytes: 64 * KiB });
    let closing: Promise<void> | undefined;
    db.subscribe((e: StrataEvent) => {
      if (!closing && e.type === 'compaction' && e.phase === 'progress' && e.step === 'output-installed') {
        closing = db.close(); // in the middle of installing the job's outputs
      }
    });
    await writeUntil(db, seedFor('close at output'), () => closing !== undefined);
    await closing;
    const layout = await storedLayout(factory, 'out');
    expect(layout.problems).toEqual([]);
    expect(layout.tables).toBeGreaterThan(0);
    // And it opens with everything the manifest holds.
    const again = await (await freshRuntime(factory)).open('out', { compaction: 'instance' });
    expect(again.scan({ limit: 1 }).length).toBe(1);
    await again.close();
  });

  it('close while a job is out at the compaction runner: nothing of it is stored', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('sent', { compaction: 'instance', memtableBytes: 64 * KiB });
    let sent = false;
    db.subscribe((e: StrataEvent) => {
      if (e.type === 'compaction' && e.phase === 'progress' && e.step === 'input-sent' && e.done === e.total) sent = true;
    });
    await writeUntil(db, seedFor('close with a job out'), () => sent);
    await db.close();
    expect((await storedLayout(factory, 'sent')).problems).toEqual([]);
  });

  it('a crash after a compaction worker stored outputs, before the edit that installs them: the next open deletes them', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('stored', { compaction: 'instance', memtableBytes: 64 * KiB });
    await writeUntil(db, seedFor('crash after the worker stored'), () => db.stats().compactions > 0);
    await db.sync();
    const entries = db.scan().length;
    // What the worker stores for a job not yet installed: a table under a
    // number above every file's (here a copy of a live one), in IDBFS's record.
    const dir = idbName('stored');
    const [path, record] = [...(await storedFiles(factory, 'stored'))].find(([p]) => p.endsWith('.sst'))!;
    const idb = await openIdb(factory, dir);
    const where = { database: dir, version: idb.version, objectStore: 'FILE_DATA', durability: 'strict' as const };
    idb.close();
    await storeFiles(factory, where, [{ path: `${dir}/999999.sst`, bytes: record.contents, mode: record.mode }]);
    const crashed = await crashCopy(factory, 'stored');
    await db.close();
    expect(await storedNames(crashed, 'stored')).toContain('999999.sst');
    expect(path).not.toBe(`${dir}/999999.sst`);

    const again = await (await freshRuntime(crashed)).open('stored', { compaction: 'instance' });
    expect(again.scan().length).toBe(entries);
    await again.close();
    expect(await storedNames(crashed, 'stored')).not.toContain('999999.sst');
    expect((await storedLayout(crashed, 'stored')).problems).toEqual([]);
  });

  it('tables a compaction replaced while an iterator read them go when the iterator closes, and at close', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('read', { compaction: 'inline', memtableBytes: 64 * KiB });
    const seed = seedFor('iterator pins tables');
    await writeUntil(db, seed, () => db.stats().levels[0]!.files >= 2, 200);
    await db.sync();
    const it = db.iterator();
    const first = it.next();
    expect(first.done).toBe(false);
    // Compactions replace the tables the iterator reads.
    const compactionsBefore = db.stats().compactions;
    await writeUntil(db, seed + 1, () => db.stats().compactions > compactionsBefore + 1);
    await db.sync();
    let pinned = await storedLayout(factory, 'read');
    expect(pinned.problems.length, 'the iterator keeps the inputs, and they stay stored').toBeGreaterThan(0);
    for (let n = 0; n < 1000 && !it.next().done; n++); // reads on
    it.close();
    await sleep(0);
    await db.sync();
    pinned = await storedLayout(factory, 'read');
    expect(pinned.problems, 'closing the iterator deletes them at the next commit').toEqual([]);
    await db.close();
    expect((await storedLayout(factory, 'read')).problems).toEqual([]);
  });

  it('an iterator left open at close does not keep its tables stored', async () => {
    const factory = new IDBFactory();
    const db = await (await freshRuntime(factory)).open('open-it', { compaction: 'inline', memtableBytes: 64 * KiB });
    const seed = seedFor('iterator open at close');
    await writeUntil(db, seed, () => db.stats().levels[0]!.files >= 2, 200);
    const it = db.iterator();
    it.next();
    const compactionsBefore = db.stats().compactions;
    await writeUntil(db, seed + 1, () => db.stats().compactions > compactionsBefore);
    await db.close(); // ends the iterator with the engine
    expect((await storedLayout(factory, 'open-it')).problems).toEqual([]);
  });
});
