import { describe, expect, it } from 'vitest';
import { createRuntime } from 'stratadb';
import type { BenchConfig, SideResult } from '../src/bench/protocol.js';
import { BENCH_WORKLOADS, DEFAULT_BENCH, keysLoaded, parseBenchForm, phases } from '../src/bench/workloads.js';
import { browserName, buildRows, opsPerSec, overallProgress, ratioOf, ratioPosition, toMarkdown, verdict } from '../src/bench/report.js';
import { Cancelled, makeData, runWorkload, timedLoop, type BenchTarget, type Control } from '../src/bench/runner.js';
import { STRATA_BENCH_OPTIONS, isSettled, strataTarget } from '../src/bench/strata-target.js';
import { IDB_PREFIX, STRATA_PREFIX, leftovers, scratchNames, stampOf } from '../src/bench/scratch.js';

describe('benchmark form', () => {
  it('accepts the defaults and fixed batches of 100', () => {
    expect(parseBenchForm({ awaitedOps: '2000', bulkOps: '20,000', valueSize: '100' })).toEqual({
      ok: true,
      value: { awaitedOps: 2000, bulkOps: 20_000, batchSize: 100, valueSize: 100, seed: DEFAULT_BENCH.seed },
    });
  });

  it('rejects out-of-range and oversized runs with one-line messages', () => {
    const bad = (form: Partial<Record<'awaitedOps' | 'bulkOps' | 'valueSize', string>>) =>
      parseBenchForm({ awaitedOps: '2000', bulkOps: '20000', valueSize: '100', ...form });
    expect(bad({ awaitedOps: '5' })).toMatchObject({ ok: false, field: 'awaitedOps', error: 'Awaited puts must be from 10 to 20,000, got 5.' });
    expect(bad({ bulkOps: 'lots' })).toMatchObject({ ok: false, field: 'bulkOps' });
    expect(bad({ valueSize: '0' })).toMatchObject({ ok: false, field: 'valueSize' });
    expect(bad({ bulkOps: '1000000', valueSize: '65536' })).toMatchObject({
      ok: false,
      field: 'bulkOps',
      error: 'Puts × value size is 62500 MiB, over the 256 MiB a run may write: lower one of them.',
    });
  });

  it('lists every workload on both sides, and what each counts', () => {
    expect(phases()).toHaveLength(8);
    // Both sides of each workload in turn, the first side alternating.
    expect(phases().map((p) => `${p.workload}:${p.side}`)).toEqual([
      'awaited-puts:stratadb',
      'awaited-puts:indexeddb',
      'batched-puts:indexeddb',
      'batched-puts:stratadb',
      'random-reads:stratadb',
      'random-reads:indexeddb',
      'scan:indexeddb',
      'scan:stratadb',
    ]);
    const config = { ...DEFAULT_BENCH, awaitedOps: 3000, bulkOps: 1000 };
    expect(keysLoaded(config)).toBe(3000);
    expect(BENCH_WORKLOADS.map((w) => w.ops(config))).toEqual([3000, 1000, 1000, 3000]);
  });
});

describe('report shaping', () => {
  it('computes ops/s and the ratio StrataDB / IndexedDB', () => {
    expect(opsPerSec({ ops: 2000, ms: 500 })).toBe(4000);
    expect(ratioOf(4000, 1000)).toBe(4);
    expect(ratioOf(4000, undefined)).toBeUndefined();
    expect(ratioOf(4000, 0)).toBeUndefined();
    expect(verdict(4)).toBe('StrataDB 4.0× faster');
    expect(verdict(0.25)).toBe('IndexedDB 4.0× faster');
    expect(verdict(1.03)).toBe('about even');
    expect(verdict(25)).toBe('StrataDB 25× faster');
  });

  it('places ratios on a log scale around 1×', () => {
    expect(ratioPosition(1)).toBeCloseTo(0.5);
    expect(ratioPosition(10)).toBeCloseTo(0.75);
    expect(ratioPosition(0.1)).toBeCloseTo(0.25);
    expect(ratioPosition(1e6)).toBe(1);
    expect(ratioPosition(1e-6)).toBe(0);
  });

  it('builds one row per workload, with problems named by side', () => {
    const results: SideResult[] = [
      { workload: 'awaited-puts', side: 'stratadb', ops: 2000, ms: 1000 },
      { workload: 'awaited-puts', side: 'indexeddb', ops: 2000, ms: 4000 },
      { workload: 'random-reads', side: 'indexeddb', ops: 20_000, ms: 2000, problem: '3 of 20000 reads found no value' },
    ];
    const rows = buildRows(DEFAULT_BENCH, results);
    expect(rows.map((r) => r.label)).toEqual(['(a) Awaited durable puts', '(b) Batched puts', '(c) Random reads', '(d) Full scan']);
    expect(rows[0]).toMatchObject({ ops: 2000, unit: 'puts', perSec: { stratadb: 2000, indexeddb: 500 }, ratio: 4 });
    expect(rows[1]!.ratio).toBeUndefined();
    expect(rows[2]!.problems).toEqual(['IndexedDB: 3 of 20000 reads found no value']);
    expect(buildRows(DEFAULT_BENCH, [...results, { workload: 'random-reads', side: 'stratadb', ops: 20_000, ms: 100 }])[2]!.ratio).toBeUndefined();
    const md = toMarkdown(DEFAULT_BENCH, rows, 'Chrome 131', new Date(Date.UTC(2025, 0, 2, 3, 4)));
    expect(md).toContain('StrataDB vs raw IndexedDB, Chrome 131, 2025-01-02 03:04 UTC');
    expect(md).toContain('| (a) Awaited durable puts | 2,000 puts | 2,000 | 500 | 4.00× |');
    expect(md).toContain('| (b) Batched puts | 20,000 puts | – | – | – |');
    expect(md).toContain('| (c) Random reads | 20,000 gets | – | 10,000 | – |');
    expect(md).toContain('Failed checks:\n- (c) Random reads: IndexedDB: 3 of 20000 reads found no value (no ratio)\n');
  });

  it('reports overall progress through the phases', () => {
    expect(overallProgress('awaited-puts', 'stratadb', 0, 100)).toBe(0);
    expect(overallProgress('awaited-puts', 'indexeddb', 50, 100)).toBeCloseTo(1.5 / 8);
    expect(overallProgress('scan', 'stratadb', 100, 100)).toBe(1); // the last phase
  });

  it('names the browser', () => {
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36')).toBe('Chrome 131');
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox 133');
    expect(browserName('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15')).toBe('Safari 18');
    expect(browserName('curl')).toBe('this browser');
  });
});

describe('scratch databases', () => {
  it('finds leftovers: stamped names whose run holds no lock', () => {
    const a = scratchNames(111);
    expect(a).toEqual({ strata: '__bench__111', idb: '__bench_idb__111', lock: 'stratadb-bench:111' });
    expect(stampOf('__bench__111', STRATA_PREFIX)).toBe('111');
    expect(stampOf('__bench__x', STRATA_PREFIX)).toBeUndefined();
    const names = ['__bench__111', '__bench__222', 'mydb', '__bench__', '__bench_idb__222'];
    expect(leftovers(names, STRATA_PREFIX, ['stratadb-bench:111'])).toEqual(['__bench__222']);
    expect(leftovers(names, IDB_PREFIX, [])).toEqual(['__bench_idb__222']);
  });
});

/** An IndexedDB stand-in: every operation answers in a later task, like the real one. */
function asyncMapTarget(): BenchTarget & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  const later = <T>(f: () => T) => new Promise<T>((resolve) => setImmediate(() => resolve(f())));
  return {
    side: 'indexeddb',
    map,
    putAwaited: (k, v) => later(() => void map.set(k, v)),
    putBatch: (entries) => later(() => entries.forEach(([k, v]) => map.set(k, v))),
    prepareReads: async () => {},
    settle: async () => true,
    get: (k) => later(() => map.get(k)),
    scan: async (visit) => {
      let entries = 0;
      let bytes = 0;
      for (const k of [...map.keys()].sort()) {
        entries++;
        bytes += map.get(k)!.length;
        if (!visit(entries)) break;
      }
      return { entries, bytes };
    },
  };
}

function control(options: { cancelAfter?: number } = {}): Control & { reports: number[] } {
  let t = 0;
  let calls = 0;
  const reports: number[] = [];
  return {
    reports,
    // Every call advances the clock 1 ms, so loops report (and pause) often.
    now: () => (t += 1),
    cancelled: () => options.cancelAfter !== undefined && ++calls > options.cancelAfter,
    progress: (done) => reports.push(done),
    pause: async () => {
      t += 1000; // a long pause, which must not be counted
    },
  };
}

const small: BenchConfig = { awaitedOps: 300, bulkOps: 1000, batchSize: 100, valueSize: 20, seed: 3 };

describe('benchmark runner', () => {
  it('makes the same keys, values and read order for both sides', () => {
    const a = makeData(small);
    expect(a.keys).toHaveLength(1000);
    expect(a.keys[7]).toBe('key:000000007');
    expect(a.values.every((v) => v.length === 20)).toBe(true);
    expect(a.readKeys).toHaveLength(1000);
    expect(makeData(small).readKeys).toEqual(a.readKeys);
    expect(makeData({ ...small, seed: 4 }).readKeys).not.toEqual(a.readKeys);
  });

  it('times loops without the pauses, reporting progress up to the total', async () => {
    const c = control();
    const ms = await timedLoop(1000, c, () => undefined);
    // The fake clock moves 1 ms per read, about one read per step: some
    // 1,000 ms of work, and about 9 pauses of 1,000 ms that must not count.
    expect(c.reports.length).toBeGreaterThan(5);
    expect(ms).toBeGreaterThan(900);
    expect(ms).toBeLessThan(1200);
    expect(c.reports.at(-1)).toBe(1000);
  });

  it('runs every workload on an asynchronous target and checks the work', async () => {
    const target = asyncMapTarget();
    const data = makeData(small);
    const results: SideResult[] = [];
    for (const w of BENCH_WORKLOADS) results.push(await runWorkload(w.id, target, small, data, control()));
    expect(results.map((r) => [r.workload, r.problem])).toEqual([
      ['awaited-puts', undefined],
      ['batched-puts', undefined],
      ['random-reads', undefined],
      ['scan', undefined],
    ]);
    // A scan may run several rounds (until 50 ms passed): a whole number of them.
    expect(results.map((r) => r.ops % BENCH_WORKLOADS.find((w) => w.id === r.workload)!.ops(small))).toEqual([0, 0, 0, 0]);
    expect(results.slice(0, 3).map((r) => r.ops)).toEqual([300, 1000, 1000]);
    expect(target.map.size).toBe(1000);
    expect(results.every((r) => r.ms > 0 && r.side === 'indexeddb')).toBe(true);
  });

  it('scans again until 50 ms passed, counting every round (a fast scan is not infinitely fast)', async () => {
    const target = asyncMapTarget();
    const data = makeData(small);
    await runWorkload('batched-puts', target, small, data, control());
    let t = 0;
    let scans = 0;
    const frozen: Control = { ...control(), now: () => t };
    const scanOnce = target.scan;
    target.scan = (visit) => {
      scans++;
      t += 10; // each scan takes 10 ms of the clock
      return scanOnce(visit);
    };
    const result = await runWorkload('scan', target, small, data, frozen);
    expect(scans).toBe(5);
    expect(result).toMatchObject({ ops: 5000, ms: 50 });
    expect(result.problem).toBeUndefined();
  });

  it('reports reads that find nothing and scans that come up short', async () => {
    const target = asyncMapTarget();
    const data = makeData(small);
    await runWorkload('awaited-puts', target, small, data, control()); // only 300 of 1000 keys
    const reads = await runWorkload('random-reads', target, small, data, control());
    expect(reads.problem).toMatch(/^\d+ of 1000 reads found no value$/);
    const scan = await runWorkload('scan', target, small, data, control());
    expect(scan.problem).toBe('scanned 300 entries, expected 1000');
  });

  it('reports reads and scans that find values of the wrong size', async () => {
    const target = asyncMapTarget();
    const data = makeData(small);
    await runWorkload('batched-puts', target, small, data, control());
    for (const key of target.map.keys()) target.map.set(key, new Uint8Array(small.valueSize - 1));
    const reads = await runWorkload('random-reads', target, small, data, control());
    expect(reads.problem).toBe(`1000 of 1000 reads found a value that is not ${small.valueSize} bytes`);
    const scan = await runWorkload('scan', target, small, data, control());
    expect(scan.problem).toBe(`scanned ${1000 * (small.valueSize - 1)} value bytes, expected ${1000 * small.valueSize}`);
  });

  it('stops with Cancelled when asked', async () => {
    const target = asyncMapTarget();
    await expect(runWorkload('batched-puts', target, small, makeData(small), control({ cancelAfter: 1 }))).rejects.toBeInstanceOf(Cancelled);
    expect(target.map.size).toBeLessThan(1000);
  });

  it('runs every workload on StrataDB through its in-thread API', async () => {
    const runtime = await createRuntime();
    const db = await runtime.open('bench-test', { ...STRATA_BENCH_OPTIONS, storage: 'memory', compaction: 'inline' });
    const target = strataTarget(db);
    const data = makeData(small);
    for (const w of BENCH_WORKLOADS) {
      const r = await runWorkload(w.id, target, small, data, control());
      expect(r).toMatchObject({ workload: w.id, side: 'stratadb' });
      expect(r.ops % w.ops(small)).toBe(0); // a scan may run several rounds
      expect(r.problem).toBeUndefined();
    }
    expect(db.stats().flushes).toBeGreaterThan(0); // reads came from a table
    await db.close();
  });

  it('waits for StrataDB to finish its flushes and compactions before a phase', async () => {
    const runtime = await createRuntime();
    const db = await runtime.open('bench-settle', { ...STRATA_BENCH_OPTIONS, storage: 'memory', compaction: 'instance', memtableBytes: 64 * 1024 });
    try {
      const target = strataTarget(db);
      const value = new Uint8Array(200);
      let busy = false;
      // Batches until a compaction is under way or due (it runs between tasks).
      for (let i = 0; i < 400 && !busy; i++) {
        await db.batch(Array.from({ length: 50 }, (_, j) => ({ type: 'put' as const, key: `k${String((i * 50 + j) * 7919 % 100_000).padStart(6, '0')}`, value })));
        const s = db.stats();
        busy = s.compactionsRunning > 0 || s.levels.some((level) => level.score >= 1);
      }
      expect(busy).toBe(true);
      expect(await target.settle(() => false)).toBe(true);
      expect(isSettled(db.stats())).toBe(true);
      expect(db.stats().compactions).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  }, 60_000);
});
