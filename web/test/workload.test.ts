import { describe, expect, it } from 'vitest';
import { createRuntime, type BatchOperation } from 'stratadb';
import { mulberry32 } from '../src/workload/prng.js';
import { KEY_LENGTH, formatKey, makeValue, MAX_KEY_SPACE, writeKey, writeValue } from '../src/workload/keys.js';
import { HOT_SHARE, MIXES, OpChooser, describeKeys, describeShares, hotSetSize, mixOf, type OpType } from '../src/workload/mix.js';
import { RateMeter, RateScheduler, opsDue } from '../src/workload/scheduler.js';
import { parseWholeNumber, parseWorkloadForm } from '../src/workload/config.js';
import { describeError } from '../src/model/error-text.js';
import { MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES, MAX_OPS_PER_CALL, RECENT_MS, WorkloadGenerator, type WorkloadTarget } from '../src/workload/generator.js';

describe('keys and values', () => {
  it('pads keys so byte order is numeric order', () => {
    expect(formatKey(123)).toBe('key:000000123');
    expect(formatKey(MAX_KEY_SPACE - 1)).toBe('key:009999999');
    const keys = [5, 40, 300, 9_999_999, 0, 1_000_000].map(formatKey);
    expect([...keys].sort()).toEqual([0, 5, 40, 300, 1_000_000, 9_999_999].map(formatKey));
  });

  it('writes key bytes equal to the UTF-8 of the formatted key, in place', () => {
    const buffer = new Uint8Array(KEY_LENGTH + 2);
    for (const i of [0, 7, 123, 99_999, 9_999_999]) {
      writeKey(buffer.subarray(1, 1 + KEY_LENGTH), i);
      expect(buffer.subarray(1, 1 + KEY_LENGTH)).toEqual(new TextEncoder().encode(formatKey(i)));
    }
    expect([buffer[0], buffer[KEY_LENGTH + 1]]).toEqual([0, 0]); // nothing written outside its view
  });

  it('writes a value in place exactly as makeValue makes it', () => {
    const buffer = new Uint8Array(50);
    writeValue(buffer.subarray(5, 45), 77);
    expect(buffer.subarray(5, 45)).toEqual(makeValue(40, 77));
    expect([...buffer.subarray(0, 5), ...buffer.subarray(45)]).toEqual(new Array(10).fill(0));
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

/** A target whose calls resolve when the test says so; each call is one message with its operations. */
class ManualTarget implements WorkloadTarget {
  pending: { method: 'pipeline' | 'getMany'; ops: { type: string; key: string }[]; durable: boolean | undefined; settle: (error?: unknown) => void }[] = [];
  pipeline(operations: readonly BatchOperation[], options?: { durable?: boolean }) {
    const ops = operations.map((op) => ({ type: op.type, key: new TextDecoder().decode(op.key as Uint8Array) }));
    return this.call('pipeline', ops, options?.durable);
  }
  getMany(keys: readonly Uint8Array[]) {
    return this.call('getMany', keys.map((k) => ({ type: 'get', key: new TextDecoder().decode(k) })), undefined);
  }
  /** Operations of every pending call, in order. */
  get ops() {
    return this.pending.flatMap((p) => p.ops);
  }
  private call(method: 'pipeline' | 'getMany', ops: { type: string; key: string }[], durable: boolean | undefined) {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ method, ops, durable, settle: (e) => (e === undefined ? resolve() : reject(e)) });
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

  it('issues ops at the rate, one message per tick, without awaiting them', async () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, config, { now: () => now, seed: 1 });
    for (now = 50; now <= 1000; now += 50) gen.tick();
    expect(target.ops.length).toBe(1000);
    expect(target.pending.length).toBe(20); // 20 ticks: 20 pipelines of 50 puts
    expect(target.pending.every((p) => p.method === 'pipeline' && p.ops.length === 50)).toBe(true);
    expect(target.ops.slice(0, 3).map((p) => p.key)).toEqual(['key:000000000', 'key:000000001', 'key:000000002']);
    expect(gen.status().inFlight).toBe(1000);
    expect(gen.status().calls).toBe(20);
    target.settleAll();
    await flush();
    const s = gen.status();
    expect(s.inFlight).toBe(0);
    expect(s.done.put).toBe(1000);
    expect(s.issued).toBe(1000);
    expect(s.errors).toBe(0);
  });

  it('sends reads as getMany and writes as a pipeline, each cut at MAX_OPS_PER_CALL', () => {
    let now = 0;
    const target = new ManualTarget();
    const gen = new WorkloadGenerator(target, { kind: 'read-heavy', rate: 50_000, keySpace: 1000, valueSize: 10 }, { now: () => now, seed: 3 });
    now = 100; // 5,000 due
    gen.tick();
    const reads = target.pending.filter((p) => p.method === 'getMany');
    const writes = target.pending.filter((p) => p.method === 'pipeline');
    expect(reads.flatMap((p) => p.ops).length + writes.flatMap((p) => p.ops).length).toBe(5000);
    expect(reads.every((p) => p.ops.every((op) => op.type === 'get') && p.ops.length <= MAX_OPS_PER_CALL)).toBe(true);
    expect(reads.length).toBe(Math.ceil(reads.flatMap((p) => p.ops).length / MAX_OPS_PER_CALL));
    expect(writes).toHaveLength(1); // about 500 puts: one pipeline
    expect(writes[0]!.ops.every((op) => op.type === 'put')).toBe(true);
  });

  it('puts the keys and values of one call in one buffer: one copy when posted to the worker', async () => {
    let now = 0;
    const calls: (readonly BatchOperation[])[] = [];
    const target: WorkloadTarget = { pipeline: (ops) => (calls.push(ops), Promise.resolve()), getMany: () => Promise.resolve() };
    const gen = new WorkloadGenerator(target, { kind: 'random', rate: 1000, keySpace: 100, valueSize: 40 }, { now: () => now, seed: 9 });
    now = 100;
    gen.tick();
    const [ops] = calls;
    expect(ops).toHaveLength(100);
    const buffers = new Set(ops!.flatMap((op) => [op.key as Uint8Array, ...(op.type === 'put' ? [op.value as Uint8Array] : [])].map((v) => v.buffer)));
    expect(buffers.size).toBe(1);
    const first = ops![0]! as { key: Uint8Array; value: Uint8Array };
    expect(new TextDecoder().decode(first.key)).toMatch(/^key:\d{9}$/);
    expect(first.value).toEqual(makeValue(40, 1)); // the value of operation 1, as makeValue writes it
  });

  it('passes the chosen durability with its writes and reports latency by kind', async () => {
    let now = 0;
    const target = new ManualTarget();
    const seen: [string, number, number][] = [];
    const gen = new WorkloadGenerator(target, config, { now: () => now, durable: false, onLatency: (kind, micros, count) => seen.push([kind, micros, count]) });
    now = 50;
    gen.tick();
    expect(target.pending[0]!.durable).toBe(false);
    expect(gen.status().durability).toBe('deferred');
    now = 80; // settles 30 ms after it was sent
    target.settleAll();
    await flush();
    expect(seen).toEqual([['deferred', 30_000, 50]]);
    // Without a choice: the database's default, which the panel tells it.
    const other = new ManualTarget();
    const byDefault = new WorkloadGenerator(other, config, { now: () => now, defaultDurable: true });
    now = 200;
    byDefault.tick();
    expect(other.pending[0]!.durable).toBeUndefined();
    expect(byDefault.status().durability).toBe('durable');
  });

  it('measures how late its ticks come', () => {
    let now = 0;
    const gen = new WorkloadGenerator(new ManualTarget(), config, { now: () => now });
    for (now = 50; now <= 500; now += 50) gen.tick();
    expect(gen.status().tickLagMs).toBe(0);
    now = 900; // 400 ms after the last tick: 350 ms late
    gen.tick();
    expect(gen.status().tickLagMs).toBe(350);
    for (now = 950; now <= 900 + RECENT_MS + 100; now += 50) gen.tick();
    expect(gen.status().tickLagMs).toBe(0); // forgotten after RECENT_MS
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
    expect(s.skippedRecent).toBe(1900);
    expect(s.achievedRate).toBe(0);
    target.settleAll();
    await flush();
    gen.tick();
    s = gen.status();
    expect(s.done.put).toBe(100);
    expect(s.issued).toBe(200);
    expect(s.achievedRate).toBeGreaterThan(0);
    expect(s.achievedRate).toBeLessThan(s.targetRate);
    // Keeping up again for longer than RECENT_MS: nothing skipped recently.
    for (now = 3050; now <= 3000 + RECENT_MS + 1000; now += 50) {
      gen.tick();
      target.settleAll();
      await flush();
    }
    expect(gen.status().skippedRecent).toBe(0);
    expect(gen.status().skipped).toBeGreaterThanOrEqual(1900);
  });

  it('counts errors, keeps going through a few, stops after a run of failed calls', async () => {
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
    expect(gen.status().lastError).toBe('write: disk hiccup');
    for (let i = 0; i < 4; i++) {
      now += 10;
      gen.tick();
      target.settleAll(new Error('still failing'));
      await flush();
    }
    expect(gen.isRunning).toBe(false);
    expect(gen.status().failed).toBe(true);
    expect(stops).toHaveLength(1);
    expect(stops[0]![0]).toMatch(/after 5 failed calls in a row; last: write: still failing/);
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
    expect(gen.status().stopReason).toBe('stopped: write: ReadOnly: database x is read-only');
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
    expect(target.ops.length).toBe(100);
    expect(gen.status().owed).toBe(550);
    now = 1600; // a late tick (a throttled timer): 1,100 may go
    gen.tick();
    expect(target.ops.length).toBe(400);
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
      { pipeline: (ops) => db.pipeline(ops), getMany: async (keys) => db.getMany(keys) },
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
    expect(s.calls).toBe(20);
    const live = db.scan();
    expect(live.length).toBeGreaterThan(0);
    expect(live.length).toBeLessThan(200);
    expect(new TextDecoder().decode(live[0]!.key)).toMatch(/^key:\d{9}$/);
    await db.close();
  });
});
