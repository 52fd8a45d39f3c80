// Randomized workloads checked against a model, and a long mixed run that
// must not keep growing memory.
//
//   STRATA_SEED=<n>              replay a workload (the seed is printed)
//   STRATA_JS_WORKLOAD_OPS=<n>      random operations after the initial load (150,000)
//   STRATA_JS_MEMORY_OPS=<n>     operations of the memory-flatness run (1,000,000)
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Database, type Snapshot, createRuntime } from '../dist/node.js';
import { prng } from './helpers.js';

const utf8 = new TextEncoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return n;
}

const SEED = envInt('STRATA_SEED', Math.floor(Math.random() * 2 ** 32));
console.log(`workload.test.ts: seed ${SEED} (replay with STRATA_SEED=${SEED})`);


const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A lower-bound binary search over keys sorted bytewise. */
function lowerBound(sorted: Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(sorted[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe('memory stays flat over a long mixed run', () => {
  const OPS = envInt('STRATA_JS_MEMORY_OPS', 1_000_000);

  /** A full GC, if V8 lets us have one (the numbers are steadier with it). */
  function collector(): (() => void) | undefined {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) return existing;
    try {
      setFlagsFromString('--expose_gc');
      return runInNewContext('gc') as () => void;
    } catch {
      return undefined;
    }
  }

  it(
    `${OPS} operations (put/get/delete/scan/iterator/snapshot) over a bounded key set`,
    async () => {
      const gc = collector();
      const random = prng(SEED ^ 0x9e3779b9);
      const KEYS = 5000;
      const keys = Array.from({ length: KEYS }, (_, i) => `key:${String(i).padStart(5, '0')}`);
      const runtime = await createRuntime({});
      const db = await runtime.open('flat', {
        storage: 'memory',
        durability: 'deferred',
        memtableBytes: 256 * 1024,
      });
      const model = new Map<string, string>();
      // Wasm memory is not public API: read it if the handle exposes it.
      const wasmBytes = () =>
        (db as unknown as { module?: { HEAPU8?: Uint8Array } }).module?.HEAPU8?.buffer.byteLength;

      interface Sample {
        at: number;
        rss: number;
        heapUsed: number;
        arrayBuffers: number;
        wasm: number | undefined;
        memtableBytes: number;
        memtableLimit: number;
        files: number;
      }
      const sample = async (at: number): Promise<Sample> => {
        await tick();
        gc?.();
        const m = process.memoryUsage();
        const s = db.stats();
        return {
          at,
          rss: m.rss,
          heapUsed: m.heapUsed,
          arrayBuffers: m.arrayBuffers,
          wasm: wasmBytes(),
          memtableBytes: s.memtableBytes + s.immutableMemtableBytes,
          memtableLimit: s.memtableLimit,
          files: s.levels.reduce((n, l) => n + l.files, 0),
        };
      };

      const warmupEnd = Math.floor(OPS * 0.2);
      const samples: Sample[] = [];
      let pending: Promise<void> | undefined;
      let iterators = 0;
      let snapshots = 0;
      for (let op = 0; op < OPS; op++) {
        const r = random();
        const key = keys[Math.floor(random() * KEYS)]!;
        if (r < 0.4) {
          const value = 'v'.repeat(Math.floor(random() * 200)) + op;
          pending = db.put(key, value);
          model.set(key, value);
        } else if (r < 0.68) {
          if (db.get(key) !== model.get(key)) expect(db.get(key), `get ${key} at op ${op}`).toBe(model.get(key));
        } else if (r < 0.78) {
          pending = db.delete(key);
          model.delete(key);
        } else if (r < 0.88) {
          db.scan({ gte: key, limit: 10, reverse: random() < 0.3 });
        } else if (r < 0.94) {
          iterators++;
          if (random() < 0.125) {
            // Unbounded, left early through for..of.
            let n = 0;
            for (const _entry of db.iterator({ gte: key })) if (++n === 2) break;
          } else {
            const it = db.iterator({ gte: key, limit: 5 });
            it.next();
            it.next();
            it.close();
          }
        } else {
          snapshots++;
          const snap = db.snapshot();
          db.get(key, { snapshot: snap });
          if (random() < 0.2) db.scan({ snapshot: snap, gte: key, limit: 3 });
          snap.release();
        }
        if (op % 1000 === 999) {
          await pending;
          await immediate();
        }
        if (op % 20_000 === 19_999) await tick(); // timers: background work, deferred commits
        if (op + 1 === warmupEnd || op + 1 === Math.floor(OPS * 0.6) || op + 1 === OPS) {
          samples.push(await sample(op + 1));
        }
      }
      await pending;
      await db.sync();

      const MiB = 1024 * 1024;
      const fmt = (s: Sample) =>
        `op ${s.at}: rss ${(s.rss / MiB).toFixed(1)} MiB, heap ${(s.heapUsed / MiB).toFixed(1)} MiB, ` +
        `arrayBuffers ${(s.arrayBuffers / MiB).toFixed(1)} MiB, wasm ${s.wasm === undefined ? '?' : (s.wasm / MiB).toFixed(0)} MiB, ` +
        `memtable ${s.memtableBytes} B, ${s.files} tables`;
      console.log(`memory (gc ${gc ? 'on' : 'off'}, ${iterators} iterators, ${snapshots} snapshots):\n  ${samples.map(fmt).join('\n  ')}`);

      expect(samples).toHaveLength(3);
      const [warm, , end] = samples as [Sample, Sample, Sample];
      // JS-side buffers (MEMFS files, copies) do not accumulate.
      expect(end.arrayBuffers - warm.arrayBuffers).toBeLessThan(64 * MiB);
      expect(end.heapUsed - warm.heapUsed).toBeLessThan(64 * MiB);
      expect(end.rss - warm.rss).toBeLessThan(192 * MiB);
      // Wasm memory only ever grows; a leak of cursors, snapshots or
      // memtables there would show as growth after the warm-up.
      if (warm.wasm !== undefined && end.wasm !== undefined) {
        expect(end.wasm - warm.wasm).toBeLessThan(32 * MiB);
      }
      // The memtable stays bounded by its limit, and tables do not pile up.
      for (const s of samples) {
        expect(s.memtableBytes).toBeLessThanOrEqual(2 * s.memtableLimit + 64 * 1024);
        expect(s.files).toBeLessThan(50);
      }
      const stats = db.stats();
      if (OPS >= 100_000) expect(stats.flushes).toBeGreaterThan(0);
      expect(stats.readOnly).toBe(false);

      // And the data is what the model says.
      const want = [...model.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      expect(db.scan().map((e) => [e.key, e.value])).toEqual(want);
      await db.close();
    },
    600_000,
  );
});

describe('100,000-key random workload against a Map', () => {
  const KEYS = 100_000;
  const OPS = envInt('STRATA_JS_WORKLOAD_OPS', 150_000);

  // Key i in one of four forms: ASCII, 2-byte UTF-8, 4-byte UTF-8, binary
  // with 0x00 and 0xff. `input` is what is written, `bytes` its UTF-8 form.
  const inputs: (string | Uint8Array)[] = [];
  const keyBytes: Uint8Array[] = [];
  for (let i = 0; i < KEYS; i++) {
    let input: string | Uint8Array;
    switch (i % 4) {
      case 0:
        input = `user:${i.toString(36).padStart(4, '0')}`;
        break;
      case 1:
        input = `é${i}`;
        break;
      case 2:
        input = `😀/${i}`;
        break;
      default:
        input = new Uint8Array([0x00, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff, 0xff]);
    }
    inputs.push(input);
    keyBytes.push(typeof input === 'string' ? utf8.encode(input) : input);
  }
  const keyHex = keyBytes.map(hex);

  it(
    'point gets, full scans and range scans agree with the model after random puts, deletes and batches',
    async () => {
      const random = prng(SEED);
      const pieces = ['a', 'b', 'z', '0', ' ', 'é', '€', '😀', '\u0000', 'ß'];
      const randomValue = (): string => {
        const n = Math.floor(random() * random() * 300);
        let s = '';
        for (let j = 0; j < n; j++) s += pieces[Math.floor(random() * pieces.length)];
        return s;
      };
      // Written as a string or (one in five) as its UTF-8 bytes.
      const valueInput = (v: string): string | Uint8Array => (random() < 0.2 ? utf8.encode(v) : v);

      const runtime = await createRuntime({});
      let db: Database<'utf8', 'utf8'> = await runtime.open('workload', {
        storage: 'memory',
        keepOnClose: true,
        durability: 'deferred',
        memtableBytes: 256 * 1024,
      });
      const model = new Map<number, string>(); // key index -> value

      // Load every key, in a random order, in batches.
      const order = Array.from({ length: KEYS }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let start = 0; start < KEYS; start += 500) {
        const ops = order.slice(start, start + 500).map((k) => {
          const value = randomValue();
          model.set(k, value);
          return { type: 'put' as const, key: inputs[k]!, value: valueInput(value) };
        });
        await db.batch(ops);
        if (start % 10_000 === 0) await tick();
      }

      // Random operations; a snapshot (and a copy of the model) half-way.
      let snapshot: Snapshot | undefined;
      let snapshotModel: Map<number, string> | undefined;
      for (let op = 0; op < OPS; op++) {
        const r = random();
        const k = Math.floor(random() * KEYS);
        if (r < 0.5) {
          const value = randomValue();
          await db.put(inputs[k]!, valueInput(value));
          model.set(k, value);
        } else if (r < 0.75) {
          await db.delete(inputs[k]!);
          model.delete(k);
        } else {
          // A batch of 1..20 operations, keys near each other or anywhere,
          // possibly the same key twice: the last one wins.
          const n = 1 + Math.floor(random() * 20);
          const near = random() < 0.5;
          const ops = [];
          for (let j = 0; j < n; j++) {
            const key = near ? (k + Math.floor(random() * 64)) % KEYS : Math.floor(random() * KEYS);
            if (random() < 0.7) {
              const value = randomValue();
              ops.push({ type: 'put' as const, key: inputs[key]!, value: valueInput(value) });
              model.set(key, value);
            } else {
              ops.push({ type: 'delete' as const, key: inputs[key]! });
              model.delete(key);
            }
          }
          await db.batch(ops);
        }
        if (op % 5000 === 4999) await tick(); // lets scheduled flushes and compactions run
        if (op === Math.floor(OPS / 2)) {
          snapshot = db.snapshot();
          snapshotModel = new Map(model);
        }
      }
      if (!snapshot) {
        snapshot = db.snapshot();
        snapshotModel = new Map(model);
      }
      await db.sync();

      const stats = db.stats();
      console.log(
        `workload: ${KEYS} keys, ${OPS} ops, ${model.size} live; flushes ${stats.flushes}, ` +
          `compactions ${stats.compactions}, files per level ${stats.levels.map((l) => l.files).join('/')}`,
      );
      expect(stats.flushes, `seed ${SEED}`).toBeGreaterThan(0);
      expect(stats.compactions, `seed ${SEED}`).toBeGreaterThan(0);
      expect(stats.readOnly).toBe(false);

      const sortedLive = () =>
        [...model.keys()].sort((a, b) => Buffer.compare(keyBytes[a]!, keyBytes[b]!));

      const checkPointGets = (target: Database<'utf8', 'utf8'>, when: string, at?: Snapshot, m = model) => {
        const wrong: string[] = [];
        for (let k = 0; k < KEYS; k++) {
          const got = target.get(inputs[k]!, at ? { snapshot: at } : undefined);
          const want = m.get(k);
          if (got !== want && wrong.length < 5) {
            wrong.push(`key ${keyHex[k]}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
          }
        }
        expect(wrong, `${when}, seed ${SEED}`).toEqual([]);
      };

      const checkFullScan = (target: Database<'utf8', 'utf8'>, when: string, at?: Snapshot, m = model) => {
        const live = [...m.keys()].sort((a, b) => Buffer.compare(keyBytes[a]!, keyBytes[b]!));
        const want = live.map((k) => `${keyHex[k]}=${m.get(k)}`);
        const entries = target.scan({ keyEncoding: 'binary', ...(at ? { snapshot: at } : {}) });
        const got = entries.map((e) => `${hex(e.key)}=${e.value}`);
        expect(got.length, `${when}: entry count, seed ${SEED}`).toBe(want.length);
        const firstDiff = got.findIndex((g, i) => g !== want[i]);
        expect(firstDiff, `${when}: first differing entry ${got[firstDiff]} vs ${want[firstDiff]}, seed ${SEED}`).toBe(-1);
        const reverse = target.scan({ keyEncoding: 'binary', reverse: true, ...(at ? { snapshot: at } : {}) });
        expect(reverse.length).toBe(want.length);
        expect(
          reverse.every((e, i) => `${hex(e.key)}=${e.value}` === want[want.length - 1 - i]),
          `${when}: reverse scan, seed ${SEED}`,
        ).toBe(true);
      };

      checkPointGets(db, 'point gets');
      checkFullScan(db, 'full scan');

      // Random ranges against the sorted model.
      const live = sortedLive();
      const liveBytes = live.map((k) => keyBytes[k]!);
      const wrongRanges: string[] = [];
      // Bounds are keys of the whole key space (so live and deleted ones),
      // up to 3,000 keys apart; a few ranges are open-ended.
      const allSorted = Array.from({ length: KEYS }, (_, k) => k).sort((a, b) =>
        Buffer.compare(keyBytes[a]!, keyBytes[b]!),
      );
      for (let i = 0; i < 300; i++) {
        const at = Math.floor(random() * KEYS);
        const lo = keyBytes[allSorted[at]!]!;
        const hi = keyBytes[allSorted[Math.min(KEYS - 1, at + Math.floor(random() * 3000))]!]!;
        const loInclusive = random() < 0.5;
        const hiInclusive = random() < 0.5;
        const reverse = random() < 0.5;
        const noLower = random() < 0.1;
        const noUpper = random() < 0.1;
        // Open-ended ranges get a limit, to keep them short.
        const limit = random() < 0.5 || noLower || noUpper ? Math.floor(random() * 300) : undefined;
        let from = lowerBound(liveBytes, lo);
        if (!loInclusive && from < live.length && Buffer.compare(liveBytes[from]!, lo) === 0) from++;
        if (noLower) from = 0;
        let to = lowerBound(liveBytes, hi); // first >= hi
        if (hiInclusive && to < live.length && Buffer.compare(liveBytes[to]!, hi) === 0) to++;
        if (noUpper) to = live.length;
        let want = live.slice(from, Math.max(from, to)).map((k) => `${keyHex[k]}=${model.get(k)}`);
        if (reverse) want = want.reverse();
        if (limit !== undefined) want = want.slice(0, limit);
        const options = {
          ...(noLower ? {} : loInclusive ? { gte: lo } : { gt: lo }),
          ...(noUpper ? {} : hiInclusive ? { lte: hi } : { lt: hi }),
          reverse,
          keyEncoding: 'binary' as const,
          ...(limit !== undefined ? { limit } : {}),
        };
        const got = db.scan(options).map((e) => `${hex(e.key)}=${e.value}`);
        if (got.join('\n') !== want.join('\n')) {
          wrongRanges.push(`${hex(lo)}..${hex(hi)} ${JSON.stringify({ loInclusive, hiInclusive, noLower, noUpper, reverse, limit })}: ${got.length} vs ${want.length}`);
        }
      }
      expect(wrongRanges.slice(0, 5), `range scans, seed ${SEED}`).toEqual([]);

      // The snapshot taken half-way still reads the state of then.
      checkFullScan(db, 'full scan at the snapshot', snapshot, snapshotModel);
      checkPointGets(db, 'point gets at the snapshot', snapshot, snapshotModel);
      snapshot!.release();

      // After a full compaction, and after close and reopen.
      await db.compact();
      expect(db.stats().levels[0]!.files).toBe(0);
      checkFullScan(db, 'full scan after compact()');
      await db.close();
      db = await runtime.open('workload', { storage: 'memory', keepOnClose: true });
      checkFullScan(db, 'full scan after reopen');
      checkPointGets(db, 'point gets after reopen');
      await db.close();
    },
    600_000,
  );
});
