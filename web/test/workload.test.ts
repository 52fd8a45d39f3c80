import { describe, expect, it } from 'vitest';
import { createRuntime } from 'stratadb';
import { mulberry32 } from '../src/workload/prng.js';
import { formatKey, keyBytes, makeValue, MAX_KEY_SPACE } from '../src/workload/keys.js';
import { HOT_SHARE, MIXES, OpChooser, describeKeys, describeShares, hotSetSize, mixOf, type OpType } from '../src/workload/mix.js';
import { RateMeter, RateScheduler, opsDue } from '../src/workload/scheduler.js';
import { parseWholeNumber, parseWorkloadForm } from '../src/workload/config.js';
import { describeError } from '../src/model/error-text.js';
import { MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES, WorkloadGenerator, type WorkloadTarget } from '../src/workload/generator.js';

describe('keys and values', () => {
  it('pads keys so byte order is numeric order', () => {
    expect(formatKey(123)).toBe('key:000000123');
    expect(formatKey(MAX_KEY_SPACE - 1)).toBe('key:009999999');
    const keys = [5, 40, 300, 9_999_999, 0, 1_000_000].map(formatKey);
    expect([...keys].sort()).toEqual([0, 5, 40, 300, 1_000_000, 9_999_999].map(formatKey));
  });

  it('writes key bytes equal to the UTF-8 of the formatted key', () => {
    for (const i of [0, 7, 123, 99_999, 9_999_999]) expect(keyBytes(i)).toEqual(new TextEncoder().encode(formatKey(i)));
  });

  it('makes printable values of exactly the size, in buffers of their own', () => {
    for (const size of [1, 3, 100, 65_536]) {
      const v = makeValue(size, 42);
      expect(v.length).toBe(size);
      expect(v.buffer.byteLength).toBe(size);
      expect(v.every((b) => b >= 32 && b < 127)).toBe(true);
    }
    expect(new TextDecoder().decode(makeValue(10, 42)).startsWith('v42:')).toBe(true);
    expect(makeValue(50, 1)).not.toEqual(makeValue(50, 2));
  });
});

describe('PRNG', () => {
  it('replays the same sequence from the same seed, in [0, 1)', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const xs = Array.from({ length: 1000 }, a);
    expect(Array.from({ length: 1000 }, b)).toEqual(xs);
    expect(Array.from({ length: 1000 }, c)).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('operation mixes', () => {
  const count = (kind: (typeof MIXES)[number]['kind'], keySpace: number, n: number) => {
    const chooser = new OpChooser(kind, keySpace, 1234);
    const types: Record<OpType, number> = { put: 0, get: 0, delete: 0 };
    const keys: number[] = [];
    for (let i = 0; i < n; i++) {
      const op = chooser.choose();
      types[op.type]++;
      keys.push(op.key);
    }
    return { types, keys };
  };

  it('declares shares summing to 1 and describes them', () => {
    for (const mix of MIXES) expect(mix.put + mix.get + mix.delete).toBeCloseTo(1);
    expect(describeShares(mixOf('read-heavy'))).toBe('90% get · 10% put');
    expect(describeShares(mixOf('delete-heavy'))).toBe('50% put · 50% delete');
    expect(describeKeys(mixOf('random'), 100, formatKey)).toBe('uniform random keys over key:000000000 … key:000000099');
    expect(describeKeys(mixOf('overwrite'), 100_000, formatKey)).toContain('(1000 keys)');
  });

  it('sequential puts walk the key space in order and wrap', () => {
    const { types, keys } = count('sequential', 5, 12);
    expect(types).toEqual({ put: 12, get: 0, delete: 0 });
    expect(keys).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1]);
  });

  it('read-heavy issues about 90% gets over the whole key space', () => {
    const { types, keys } = count('read-heavy', 1000, 20_000);
    expect(types.get / 20_000).toBeGreaterThan(0.88);
    expect(types.get / 20_000).toBeLessThan(0.92);
    expect(types.delete).toBe(0);
    expect(new Set(keys).size).toBeGreaterThan(990);
    expect(Math.max(...keys)).toBeLessThan(1000);
  });

  it('delete-heavy issues about half deletes', () => {
    const { types } = count('delete-heavy', 1000, 20_000);
    expect(types.get).toBe(0);
    expect(types.delete / 20_000).toBeGreaterThan(0.47);
    expect(types.delete / 20_000).toBeLessThan(0.53);
  });

  it('overwrite-heavy sends most puts to the hot set', () => {
    expect(hotSetSize(1)).toBe(1);
    expect(hotSetSize(5000)).toBe(50);
    expect(hotSetSize(10_000_000)).toBe(1000);
    const { types, keys } = count('overwrite', 5000, 20_000);
    expect(types.put).toBe(20_000);
    const hot = keys.filter((k) => k < hotSetSize(5000)).length / 20_000;
    expect(hot).toBeGreaterThan(HOT_SHARE - 0.02);
    expect(Math.max(...keys)).toBeGreaterThan(1000);
  });

  it('is deterministic for a seed', () => {
    const a = new OpChooser('delete-heavy', 100, 9);
    const b = new OpChooser('delete-heavy', 100, 9);
    for (let i = 0; i < 100; i++) expect(a.choose()).toEqual(b.choose());
  });
});

describe('rate scheduling', () => {
  it('computes ops due from elapsed time and rate', () => {
    expect(opsDue(0, 1000, 0)).toBe(0);
    expect(opsDue(50, 1000, 0)).toBe(50);
    expect(opsDue(50, 1000, 30)).toBe(20);
    expect(opsDue(50, 1000, 80)).toBe(0);
    expect(opsDue(999, 1, 0)).toBe(0);
    expect(opsDue(1000, 1, 0)).toBe(1);
    expect(opsDue(50, 50_000, 0)).toBe(2500);
  });

  it('keeps what was not issued owed, and skips beyond the backlog cap', () => {
    const s = new RateScheduler(1000, 0);
    expect(s.maxBacklog).toBe(1000);
    expect(s.due(50)).toBe(50);
    s.issued(20);
    expect(s.due(100)).toBe(80); // 30 still owed + 50 new
    s.issued(80);
    // A 5 s stall: 5,000 fall due, only 1 s worth stays owed.
    expect(s.due(5100)).toBe(1000);
    expect(s.skipped).toBe(4000);
    s.issued(1000);
    expect(s.due(5150)).toBe(50);
    expect(s.issuedTotal).toBe(1100);
  });

  it('measures the achieved rate over a sliding window', () => {
    const m = new RateMeter(1000);
    expect(m.rate()).toBe(0);
    for (let t = 0; t <= 3000; t += 100) m.sample(t, t < 2000 ? t * 2 : 4000 + (t - 2000) / 2);
    // The last second completed 500 operations.
    expect(m.rate()).toBeCloseTo(500);
  });
});

describe('form validation', () => {
  const form = { kind: 'random', rate: '1000', keySpace: '100,000', valueSize: '100' };

  it('accepts whole numbers in range, with digit group separators', () => {
    expect(parseWorkloadForm(form)).toEqual({ ok: true, value: { kind: 'random', rate: 1000, keySpace: 100_000, valueSize: 100 } });
    expect(parseWholeNumber(' 10_000 ', 'x', 1, 50_000)).toEqual({ ok: true, value: 10_000 });
    expect(parseWholeNumber('1 000 000', 'x', 1, 10_000_000)).toEqual({ ok: true, value: 1_000_000 });
    for (const slip of ['1,0000', '10,00', '1,,000', ',1000', '1000,']) expect(parseWholeNumber(slip, 'x', 1, 50_000).ok).toBe(false);
  });

  it('names the field and the range in one line', () => {
    const cases: [Partial<typeof form>, string, RegExp][] = [
      [{ rate: '0' }, 'rate', /^Rate \(ops\/s\) must be from 1 to 50,000, got 0\.$/],
      [{ rate: '50001' }, 'rate', /must be from 1 to 50,000/],
      [{ rate: '1.5' }, 'rate', /whole number from 1 to 50,000, got "1\.5"/],
      [{ rate: '' }, 'rate', /Rate \(ops\/s\) is empty/],
      [{ keySpace: '10000001' }, 'keySpace', /Key space must be from 1 to 10,000,000/],
      [{ keySpace: '-5' }, 'keySpace', /whole number/],
      [{ valueSize: '65537' }, 'valueSize', /Value size \(bytes\) must be from 1 to 65,536/],
      [{ valueSize: '1e3' }, 'valueSize', /whole number/],
      [{ kind: 'chaos' }, 'kind', /Unknown workload "chaos"/],
    ];
    for (const [change, field, message] of cases) {
      const result = parseWorkloadForm({ ...form, ...change });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.field).toBe(field);
        expect(result.error).toMatch(message);
        expect(result.error).not.toContain('\n');
      }
    }
  });
});

/** A target whose operations resolve when the test says so. */
class ManualTarget implements WorkloadTarget {
  pending: { type: string; key: string; settle: (error?: unknown) => void }[] = [];
  put(key: Uint8Array) {
    return this.op('put', key);
  }
  get(key: Uint8Array) {
    return this.op('get', key);
  }
  delete(key: Uint8Array) {
    return this.op('delete', key);
  }
  private op(type: string, key: Uint8Array) {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ type, key: new TextDecoder().decode(key), settle: (e) => (e === undefined ? resolve() : reject(e)) });
    });
  }
  settleAll(error?: unknown) {
    const all = this.pending;
    this.pending = [];
    for (const p of all) p.settle(error);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('workload generator', () => {
  const config = { kind: 'sequential' as const, rate: 1000, keySpace: 1000, valueSize: 10 };

  it('issues ops at the rate without awaiting them', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now, seed: 1 });
    for (now = 50; now <= 1000; now += 50) gen.tick();
    expect(target.pending.length).toBe(1000);
    expect(target.pending.slice(0, 3).map((p) => p.key)).toEqual(['key:000000000', 'key:000000001', 'key:000000002']);
    expect(gen.status().inFlight).toBe(1000);
    target.settleAll();
    await flush();
    const s = gen.status();
    expect(s.inFlight).toBe(0);
    expect(s.done.put).toBe(1000);
    expect(s.issued).toBe(1000);
    expect(s.errors).toBe(0);
  });

  it('falls behind when the engine cannot keep up, and shows it', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now, maxInFlight: 100 });
    for (now = 50; now <= 3000; now += 50) gen.tick(); // nothing completes: a stall
    let s = gen.status();
    expect(s.inFlight).toBe(100);
    expect(s.issued).toBe(100);
    expect(s.owed).toBe(1000); // one second's worth stays owed
    expect(s.skipped).toBe(1900);
    expect(s.achievedRate).toBe(0);
    target.settleAll();
    await flush();
    gen.tick();
    s = gen.status();
    expect(s.done.put).toBe(100);
    expect(s.issued).toBe(200);
    expect(s.achievedRate).toBeGreaterThan(0);
    expect(s.achievedRate).toBeLessThan(s.targetRate);
  });

  it('counts errors, keeps going through a few, stops after a run of them', async () => {
    let now = 0;
    const target = new ManualTarget();
    const stops: [string, boolean][] = [];
    const gen = new WorkloadGenerator(target, config, { now: () => now, stopAfterFailures: 5, onStop: (r, f) => stops.push([r, f]) });
    now = 3;
    gen.tick();
    target.settleAll(new Error('disk hiccup'));
    await flush();
    expect(gen.isRunning).toBe(true);
    expect(gen.status().errors).toBe(3);
    expect(gen.status().lastError).toBe('put: disk hiccup');
    now = 10;
    gen.tick();
    target.settleAll(new Error('still failing'));
    await flush();
    expect(gen.isRunning).toBe(false);
    expect(gen.status().failed).toBe(true);
    expect(stops).toHaveLength(1);
    expect(stops[0]![0]).toMatch(/after 5 failures in a row; last: put: still failing/);
    now = 100;
    gen.tick();
    expect(target.pending).toHaveLength(0); // nothing issued once stopped
  });

  it('stops at once when the database turns read-only', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now });
    now = 2;
    gen.tick();
    const readOnly = Object.assign(new Error('database x is read-only'), { code: 'ReadOnly' });
    target.pending[0]!.settle(readOnly);
    await flush();
    expect(gen.isRunning).toBe(false);
    expect(gen.status().stopReason).toBe('stopped: put: ReadOnly: database x is read-only');
    expect(gen.status().failed).toBe(true);
    expect(describeError(readOnly).code).toBe('ReadOnly');
  });

  it('stops without blame when the database is closed under it', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now });
    now = 5;
    gen.tick();
    target.settleAll(Object.assign(new Error('database x is closed'), { code: 'Closed' }));
    await flush();
    expect(gen.status()).toMatchObject({ running: false, failed: false, stopReason: 'stopped: the database was closed', errors: 5 });
  });

  it('issues at most two ticks of operations at once when paying back a backlog', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now, maxInFlight: 400 });
    for (now = 50; now <= 1000; now += 50) gen.tick(); // stalled at 400 in flight
    expect(gen.status().owed).toBe(600);
    target.settleAll();
    await flush();
    now = 1050;
    gen.tick(); // 650 due, room for 400: two ticks' worth (100) go
    expect(target.pending.length).toBe(100);
    expect(gen.status().owed).toBe(550);
    now = 1600; // a late tick (a throttled timer): 1,100 may go
    gen.tick();
    expect(target.pending.length).toBe(400);
  });

  it('bounds the value bytes in flight, not only the operations', () => {
    const status = (valueSize: number) => new WorkloadGenerator(new ManualTarget(), { ...config, valueSize }, { now: () => 0 }).status();
    expect(status(256).maxInFlight).toBe(MAX_IN_FLIGHT);
    expect(status(65_536).maxInFlight).toBe(MAX_IN_FLIGHT_BYTES / 65_536);
  });

  it('stop() is final and reports its reason once', () => {
    let now = 0;
    const reasons: string[] = [];
    const gen = new WorkloadGenerator(new ManualTarget(), config, { now: () => now, onStop: (r) => reasons.push(r) });
    gen.stop('stopped: switched to database b');
    gen.stop('again');
    now = 500;
    expect(gen.status().elapsedMs).toBe(0);
    expect(reasons).toEqual(['stopped: switched to database b']);
  });

  it('drives a real engine: delete-heavy leaves puts and tombstones', async () => {
    const runtime = await createRuntime();
    const db = await runtime.open('workload-test', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary', compaction: 'inline' });
    let now = 0;
    const gen = new WorkloadGenerator(
      { put: (k, v) => db.put(k, v), get: async (k) => db.get(k), delete: (k) => db.delete(k) },
      { kind: 'delete-heavy', rate: 2000, keySpace: 200, valueSize: 32 },
      { now: () => now, seed: 5 },
    );
    for (now = 50; now <= 1000; now += 50) {
      gen.tick();
      await flush();
    }
    await flush();
    const s = gen.status();
    expect(s.errors).toBe(0);
    expect(s.done.put + s.done.delete).toBe(2000);
    expect(s.done.delete).toBeGreaterThan(800);
    const live = db.scan();
    expect(live.length).toBeGreaterThan(0);
    expect(live.length).toBeLessThan(200);
    expect(new TextDecoder().decode(live[0]!.key)).toMatch(/^key:\d{9}$/);
    await db.close();
  });
});
