// Compaction outputs stored by the compaction worker itself (output-store.ts):
// its records are IDBFS's (the loader restores them byte for byte, with
// their mode), a commit leaves out the files stored ahead of it and deletes
// no key range over the names they may have, close()'s removeUnlisted deletes stored files the
// directory does not hold, and a database that is not there (deleted, or
// upgraded since) is never created or changed. Over fake-indexeddb, with the
// package's own IndexedDbStorage.
import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { storeFiles } from '../dist/output-store.js';
import { IndexedDbStorage } from '../dist/storage.js';
import type { StrataModule } from '../dist/strata.js';
import { databaseNames, freshRuntime, idbName, openIdb, prng, randomBytes, seedFor, storedFiles, storedNames } from './helpers.js';

async function loadedStorage(factory: IDBFactory, name: string) {
  const runtime = await freshRuntime(factory);
  const module = (runtime as unknown as { module: StrataModule }).module;
  const storage = new IndexedDbStorage(module, idbName(name), IDBKeyRange);
  await storage.load();
  return { storage, FS: module.FS };
}

describe('outputs stored by the compaction worker', () => {
  it('are left out of the next commit, load like committed files, and removeUnlisted deletes those never installed', async () => {
    const factory = new IDBFactory();
    const rand = prng(seedFor('stored ahead'));
    const dir = idbName('ahead');
    const [installed, committed, dropped] = [1, 2, 9].map((n) => `${dir}/00000${n}.sst`) as [string, string, string];
    const bytes = { installed: randomBytes(rand, 5000), committed: randomBytes(rand, 3000), dropped: randomBytes(rand, 100) };

    const { storage, FS } = await loadedStorage(factory, 'ahead');
    const where = storage.beginOutsideStore('strict', []);
    expect(where).toMatchObject({ database: dir, objectStore: 'FILE_DATA', durability: 'strict' });
    // The worker made and stored two outputs; the database installs one of them.
    FS.writeFile(installed, bytes.installed);
    FS.writeFile(committed, bytes.committed);
    const mode = FS.stat(installed).mode;
    await storeFiles(factory, where!, [
      { path: installed, bytes: bytes.installed, mode },
      { path: dropped, bytes: bytes.dropped, mode },
    ]);
    storage.storedAhead([installed, dropped]);
    const counts = await storage.commit([installed, committed], 'strict');
    expect(counts).toEqual({ files: 1, bytes: bytes.committed.length, deleted: 0, byAheadStore: 0 });
    expect(await storedNames(factory, 'ahead')).toEqual(['000001.sst', '000002.sst', '000009.sst']);

    await storage.removeUnlisted();
    expect(await storedNames(factory, 'ahead')).toEqual(['000001.sst', '000002.sst']);
    const records = await storedFiles(factory, 'ahead');
    expect(records.get(installed)!.mode).toBe(records.get(committed)!.mode);
    storage.release();

    // IDBFS's loader restores the worker's record as it does a commit's.
    const again = await loadedStorage(factory, 'ahead');
    expect(again.FS.readFile(installed)).toEqual(bytes.installed);
    expect(again.FS.readFile(committed)).toEqual(bytes.committed);
    expect(again.FS.stat(installed).mode).toBe(mode);
    again.storage.release();
  });

  it('are never covered by a key-range delete of a commit while the worker may be storing them', async () => {
    const factory = new IDBFactory();
    const dir = idbName('ranges');
    const { storage, FS } = await loadedStorage(factory, 'ranges');
    const [first, last] = [`${dir}/000001.log`, `${dir}/000003.log`];
    for (const path of [first, last]) FS.writeFile(path, new Uint8Array([1]));
    await storage.commit([first, last], 'relaxed');
    for (const path of [first, last]) FS.unlink(path);
    // The worker stores 000002.sst, between the two, before the database lists it.
    const output = { path: `${dir}/000002.sst`, bytes: new Uint8Array([2]), mode: 0o100666 };
    const where = storage.beginOutsideStore('strict', [output.path])!;
    await storeFiles(factory, where, [output]);
    expect(await storage.commit([first, last], 'relaxed')).toMatchObject({ deleted: 2 });
    expect(await storedNames(factory, 'ranges')).toEqual(['000002.sst']);
    storage.endOutsideStore([output.path]);
    storage.release();
  });

  it('are not stored where the database is gone or was upgraded, and nothing is created', async () => {
    const factory = new IDBFactory();
    const file = { path: `${idbName('gone')}/000005.sst`, bytes: new Uint8Array([1, 2, 3]), mode: 0o100666 };
    const gone = { database: idbName('gone'), version: 21, objectStore: 'FILE_DATA', durability: 'strict' as const };
    await expect(storeFiles(factory, gone, [file])).rejects.toThrow();
    expect(await databaseNames(factory)).toEqual([]);

    const { storage } = await loadedStorage(factory, 'upgraded');
    const where = storage.beginOutsideStore('relaxed', [])!;
    storage.release();
    const db = await openIdb(factory, where.database, where.version + 1); // someone upgraded it since
    db.close();
    await expect(storeFiles(factory, where, [{ ...file, path: `${where.database}/000005.sst` }])).rejects.toThrow();
    expect(await storedNames(factory, 'upgraded')).toEqual([]);
  });
});
