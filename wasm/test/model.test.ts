// The randomized model test through the JS API: random puts, deletes,
// batches, gets, scans (random bounds, reverse, limit), iterators left
// early, snapshots, flushes, compactions, syncs, reopen steps (close, then
// open in a fresh runtime over the same factory) and crash steps (the
// runtime dropped without close), compared against a Map.
//
// A small memtable (64 KiB) makes flushes and compactions happen. After a
// crash the database must hold the model's state as of some write at or
// after the last known durability point: whole writes, in order.
//
// STRATA_SEED=<n> replays a run; STRATA_JS_MODEL_OPS=<n> sets its length.
import { expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import type { BatchOperation, Database, OpenOptions, Snapshot } from '../dist/node.js';
import { bytesEqual, crashCopy, freshRuntime, hex, prng, seedFor } from './helpers.js';

const OPS = Number(process.env.STRATA_JS_MODEL_OPS ?? 15000);
const KiB = 1024;

type Db = Database<'binary', 'binary'>;
type State = Map<string, Uint8Array>; // hex key -> value
type WriteOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'delete'; key: string };

function apply(state: State, ops: readonly WriteOp[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

function sameState(a: State, b: State): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !bytesEqual(v, w)) return false;
  }
  return true;
}

function describeDiff(got: State, want: State): string {
  const lines: string[] = [`got ${got.size} keys, want ${want.size}`];
  for (const [k, v] of want) {
    const g = got.get(k);
    if (g === undefined) lines.push(`missing ${k}`);
    else if (!bytesEqual(g, v)) lines.push(`wrong value at ${k}: ${g.length} bytes, want ${v.length}`);
    if (lines.length > 8) return lines.join('\n');
  }
  for (const k of got.keys()) {
    if (!want.has(k)) lines.push(`extra ${k}`);
    if (lines.length > 8) break;
  }
  return lines.join('\n');
}

it(`matches a Map model over ${OPS} random operations with reopens and crashes`, async () => {
  const seed = seedFor('JS model');
  const rand = prng(seed);
  const int = (n: number) => (rand() * n) | 0;
  const chance = (p: number) => rand() < p;

  // Keys: short byte strings over a small alphabet, so that prefixes,
  // 0x00 and 0xff bytes and collisions are common.
  const ALPHABET = [0x00, 0x01, 0x30, 0x61, 0x62, 0x7f, 0x80, 0xfe, 0xff];
  const randomKey = () => {
    const k = new Uint8Array(1 + int(5));
    for (let i = 0; i < k.length; i++) k[i] = ALPHABET[int(ALPHABET.length)]!;
    return k;
  };
  const pool = Array.from({ length: 400 }, randomKey);
  const pickKey = () => (chance(0.85) ? pool[int(pool.length)]! : randomKey());
  let valueCounter = 0;
  const makeValue = () => {
    const n = chance(0.03) ? 8 * KiB + int(24 * KiB) : int(1200);
    const v = new Uint8Array(n);
    const tag = ++valueCounter;
    for (let i = 0; i < n; i++) v[i] = (tag * 31 + i) & 0xff;
    if (n >= 4) new DataView(v.buffer).setUint32(0, tag);
    return v;
  };

  // The model, and what is known durable: `base` is the state after the
  // first `baseSeq` writes, all durable; `log` holds the writes since.
  let model: State = new Map();
  let sortedCache: string[] | undefined;
  const sortedKeys = () => (sortedCache ??= [...model.keys()].sort());
  let seq = 0;
  let base: State = new Map();
  let baseSeq = 0;
  let log: { seq: number; ops: WriteOp[] }[] = [];
  let epoch = 0; // bumped at each reopen or crash: late callbacks of a dropped handle are ignored
  const durableUpTo = (upto: number, at: number) => {
    if (at !== epoch) return;
    while (log.length > 0 && log[0]!.seq < upto) apply(base, log.shift()!.ops);
    baseSeq = Math.max(baseSeq, upto);
  };
  const recordWrite = (ops: WriteOp[]): number => {
    apply(model, ops);
    sortedCache = undefined;
    log.push({ seq, ops });
    return seq++;
  };

  let factory = new IDBFactory();
  const name = 'model';
  let db!: Db; // set by openFresh() before the first use
  let durableMode = true;
  const snapshots: { snap: Snapshot; state: State }[] = [];
  let pending: Promise<void>[] = [];
  const counts = { reopens: 0, crashes: 0, crashesLosingWrites: 0, scans: 0, gets: 0, writes: 0, snapshotReads: 0 };

  const openFresh = async () => {
    durableMode = chance(0.5);
    const options: OpenOptions<'binary', 'binary'> = {
      memtableBytes: 64 * KiB,
      durability: durableMode ? 'durable' : 'deferred',
      commitIntervalMs: int(25),
      bloomBitsPerKey: chance(0.2) ? 0 : 10,
      compression: chance(0.7),
      blockCacheBytes: chance(0.2) ? 0 : 8 * 1024 * KiB,
      keyEncoding: 'binary',
      valueEncoding: 'binary',
    };
    const runtime = await freshRuntime(factory);
    db = await runtime.open(name, options);
  };

  const readAll = (): State => {
    const got: State = new Map();
    for (const { key, value } of db.scan()) got.set(hex(key), value);
    return got;
  };

  const checkAll = (what: string) => {
    const got = readAll();
    if (!sameState(got, model)) expect.fail(`${what}: state differs from the model\n${describeDiff(got, model)}`);
  };

  // A write's promise: when it was durable, its resolution makes it and
  // every write before it durable; a deferred one resolves at once.
  const track = (p: Promise<void>, writeSeq: number, durable = durableMode) => {
    const at = epoch;
    pending.push(p.then(() => (durable ? durableUpTo(writeSeq + 1, at) : undefined)));
  };

  const awaitPending = async () => {
    const all = pending;
    pending = [];
    await Promise.all(all);
  };

  const releaseSnapshots = () => {
    for (const s of snapshots.splice(0)) s.snap.release();
  };

  // Compares a scan of db with the model (or a snapshot's state).
  const checkScan = (state: State, snap?: Snapshot) => {
    const bound = () => (chance(0.5) ? undefined : pickKey());
    const lower = bound();
    const upper = bound();
    const lowerInclusive = chance(0.5);
    const upperInclusive = chance(0.5);
    const reverse = chance(0.4);
    const limit = chance(0.5) ? undefined : int(40);
    const options = {
      ...(lower === undefined ? {} : lowerInclusive ? { gte: lower } : { gt: lower }),
      ...(upper === undefined ? {} : upperInclusive ? { lte: upper } : { lt: upper }),
      ...(reverse ? { reverse } : {}),
      ...(limit === undefined ? {} : { limit }),
      ...(snap ? { snapshot: snap } : {}),
    };
    const lo = lower && hex(lower);
    const hi = upper && hex(upper);
    let keys = (state === model ? sortedKeys() : [...state.keys()].sort()).filter(
      (k) =>
        (lo === undefined || (lowerInclusive ? k >= lo : k > lo)) &&
        (hi === undefined || (upperInclusive ? k <= hi : k < hi)),
    );
    if (reverse) keys.reverse();
    if (limit !== undefined) keys = keys.slice(0, limit);
    const got = db.scan(options);
    const gotKeys = got.map((e) => hex(e.key));
    if (gotKeys.length !== keys.length || gotKeys.some((k, i) => k !== keys[i])) {
      expect(gotKeys, `scan ${JSON.stringify({ lo, hi, lowerInclusive, upperInclusive, reverse, limit })}`).toEqual(
        keys,
      );
    }
    got.forEach((e, i) => {
      if (!bytesEqual(e.value, state.get(keys[i]!)!)) expect.fail(`scan value at ${keys[i]}`);
    });
  };

  const checkGet = (state: State, snap?: Snapshot) => {
    const key = chance(0.6) && state.size > 0 ? sortedKeysOf(state)[int(state.size)]! : hex(pickKey());
    const got = db.get(Buffer.from(key, 'hex'), snap ? { snapshot: snap } : {});
    const want = state.get(key);
    if (want === undefined) expect(got, `get ${key}`).toBeUndefined();
    else if (got === undefined || !bytesEqual(got, want)) expect.fail(`get ${key}: wrong value`);
  };
  const sortedKeysOf = (state: State) => (state === model ? sortedKeys() : [...state.keys()].sort());

  await openFresh();
  for (let op = 0; op < OPS; op++) {
    const r = rand();
    if (r < 0.3) {
      const key = pickKey();
      const value = makeValue();
      const s = recordWrite([{ type: 'put', key: hex(key), value }]);
      const override = chance(0.05) ? { durable: !durableMode } : undefined;
      track(db.put(key, value, override), s, override?.durable ?? durableMode);
      counts.writes++;
    } else if (r < 0.4) {
      const key = pickKey();
      const s = recordWrite([{ type: 'delete', key: hex(key) }]);
      track(db.delete(key), s);
      counts.writes++;
    } else if (r < 0.47) {
      const ops: BatchOperation[] = [];
      const modelOps: WriteOp[] = [];
      for (let i = int(20); i >= 0; i--) {
        const key = pickKey();
        if (chance(0.75)) {
          const value = makeValue();
          ops.push({ type: 'put', key, value });
          modelOps.push({ type: 'put', key: hex(key), value });
        } else {
          ops.push({ type: 'delete', key });
          modelOps.push({ type: 'delete', key: hex(key) });
        }
      }
      const s = recordWrite(modelOps);
      track(db.batch(ops), s);
      counts.writes++;
    } else if (r < 0.65) {
      checkGet(model);
      counts.gets++;
    } else if (r < 0.77) {
      checkScan(model);
      counts.scans++;
    } else if (r < 0.79) {
      // An iterator left early.
      const keys = sortedKeys();
      const stop = int(20);
      let n = 0;
      for (const { key } of db.iterator()) {
        expect(hex(key)).toBe(keys[n]);
        if (++n >= stop) break;
      }
      expect(n).toBe(Math.min(stop === 0 ? 1 : stop, keys.length));
    } else if (r < 0.81) {
      if (snapshots.length >= 3) snapshots.shift()!.snap.release();
      snapshots.push({ snap: db.snapshot(), state: new Map(model) });
    } else if (r < 0.85) {
      if (snapshots.length > 0) {
        const { snap, state } = snapshots[int(snapshots.length)]!;
        if (chance(0.5)) checkGet(state, snap);
        else checkScan(state, snap);
        counts.snapshotReads++;
      }
    } else if (r < 0.86) {
      if (snapshots.length > 0) snapshots.splice(int(snapshots.length), 1)[0]!.snap.release();
    } else if (r < 0.875) {
      const upto = seq;
      const at = epoch;
      await db.sync();
      durableUpTo(upto, at);
    } else if (r < 0.885) {
      const upto = seq;
      const at = epoch;
      await db.flush();
      durableUpTo(upto, at);
    } else if (r < 0.89) {
      const upto = seq;
      const at = epoch;
      if (chance(0.5)) await db.compact();
      else {
        const [a, b] = [hex(pickKey()), hex(pickKey())].sort();
        await db.compact({ gte: Buffer.from(a!, 'hex'), lte: Buffer.from(b!, 'hex') });
      }
      durableUpTo(upto, at);
    } else if (r < 0.894) {
      // Reopen: close (makes every write durable), open in a fresh runtime.
      releaseSnapshots();
      await awaitPending();
      await db.close();
      epoch++;
      base = new Map(model);
      baseSeq = seq;
      log = [];
      await openFresh();
      checkAll(`after reopen ${++counts.reopens} (op ${op})`);
    } else if (r < 0.898) {
      // Crash: the state at this instant, copied into a new factory. The
      // dropped handle is closed afterwards only to free its runtime: it
      // commits to the old factory, which nothing reads any more.
      // What is known durable is fixed at this instant (epoch++ first):
      // a commit completing while the copy is made may or may not be in it.
      epoch++;
      const old = factory;
      factory = await crashCopy(old, name);
      for (const p of pending) p.catch(() => {});
      pending = [];
      snapshots.splice(0); // they die with the dropped handle
      await db.close().catch(() => {});
      await openFresh();
      const got = readAll();
      const candidate = new Map(base);
      let matched = sameState(got, candidate);
      let survived = baseSeq;
      for (const entry of log) {
        if (matched) break;
        apply(candidate, entry.ops);
        survived = entry.seq + 1;
        matched = sameState(got, candidate);
      }
      if (!matched) {
        expect.fail(
          `after crash ${counts.crashes + 1} (op ${op}) the state is no prefix of the writes since the last ` +
            `durability point (${baseSeq}..${seq}):\n${describeDiff(got, base)}`,
        );
      }
      counts.crashes++;
      if (survived < seq) counts.crashesLosingWrites++;
      model = candidate;
      sortedCache = undefined;
      base = new Map(model);
      baseSeq = seq = survived;
      log = [];
    } else {
      await sleep0();
    }
    if (pending.length > 30 || chance(0.1)) await awaitPending();
    // Keep the uncertain window after a crash short.
    if (log.length > 400) {
      const upto = seq;
      const at = epoch;
      await db.sync();
      durableUpTo(upto, at);
    }
  }
  await awaitPending();
  checkAll('at the end');
  releaseSnapshots();
  await db.close();
  epoch++;
  const last = await freshRuntime(factory);
  db = await last.open(name, { keyEncoding: 'binary', valueEncoding: 'binary' });
  checkAll('after the final reopen');
  await db.close();
  console.log(
    `JS model: ${OPS} ops, ${counts.writes} writes, ${counts.gets} gets, ${counts.scans} scans, ` +
      `${counts.snapshotReads} snapshot reads, ${counts.reopens} reopens, ${counts.crashes} crashes ` +
      `(${counts.crashesLosingWrites} lost unacknowledged writes), ` +
      `${model.size} keys at the end`,
  );
});

const sleep0 = () => new Promise<void>((r) => setTimeout(r, 0));
