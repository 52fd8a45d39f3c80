import { describe, expect, it } from 'vitest';
import { createRuntime, type CompactionFinished, type StrataEvent } from 'stratadb';
import { CompactionHistory, writeAmplification, type CompactionRow, type HistoryRow } from '../src/model/compaction-history.js';
import { compactionFinished, compactionStarted, flushFinished, progress, stall, table } from './event-fixture.js';

const durable: StrataEvent = { type: 'durable', commit: 1, filesStored: 1, filesStoredAhead: 0, filesDeleted: 0, bytes: 1, micros: 1, idbDurability: 'strict' };

describe('CompactionHistory', () => {
  it('follows a running job from start to finish and records it as the events tell', () => {
    const h = new CompactionHistory();
    const inputs = [table(10, 0, 100), table(11, 0, 100), table(5, 1, 800)];
    h.event(compactionStarted({ job: 3, level: 0, inputs }), 1000);
    expect(h.running).toMatchObject({ job: 3, reason: 'score', score: 1.25, fromLevel: 0, toLevel: 1, bytesIn: 1000, upperBytesIn: 200, stage: 'sending', done: 0, total: 3 });
    expect(h.running!.inputs.map((t) => t.number)).toEqual([10, 11, 5]);

    h.event(progress(3, 'input-sent', 2, 3), 1100);
    expect(h.running).toMatchObject({ stage: 'sending', done: 2 });
    h.event(progress(3, 'input-sent', 3, 3), 1200);
    expect(h.running).toMatchObject({ stage: 'running', done: 3 });
    h.event(progress(3, 'output-installed', 1, 2), 1900);
    expect(h.running).toMatchObject({ stage: 'installing', done: 1, total: 2 });
    expect(h.rows()).toEqual([]);

    const outputs = [table(20, 1, 500), table(21, 1, 450)];
    h.event(compactionFinished({ job: 3, level: 0, inputs, outputs, micros: 600_000 }), 2000);
    expect(h.running).toBeUndefined();
    const [row] = h.rows();
    expect(row).toMatchObject({
      id: 'c3',
      kind: 'compaction',
      at: 1000,
      micros: 1_000_000, // from the started event, not the runner's own 0.6 s
      runner: 'worker',
      reason: 'score',
      fromLevel: 0,
      toLevel: 1,
      trivialMove: false,
      bytesIn: 1000,
      upperBytesIn: 200,
      bytesOut: 950,
      entriesIn: 100,
      entriesOut: 95,
      error: null,
    });
    expect((row as CompactionRow).inputs).toBe(inputs);
    expect((row as CompactionRow).outputs).toBe(outputs);
    expect(writeAmplification(row!)).toBe(950 / 200);
    expect(h.lastCompaction).toBe(row);
  });

  it('records a job from its finished event alone, timed by the runner', () => {
    const h = new CompactionHistory();
    // Run here: the engine reports its start and end together.
    const inputs = [table(7, 2, 100), table(3, 3, 400)];
    h.event(compactionFinished({ job: 2, level: 2, inputs, outputs: [table(9, 3, 480)], micros: 20_000, runner: 'here' }), 500);
    expect(h.rows()[0]).toMatchObject({ at: 480, micros: 20_000, runner: 'here', fromLevel: 2, toLevel: 3, upperBytesIn: 100, bytesOut: 480 });
    expect(writeAmplification(h.rows()[0]!)).toBeCloseTo(4.8);
  });

  it('shows a trivial move as a move: nothing read or written, no write amplification', () => {
    const h = new CompactionHistory();
    const moved = table(40, 1, 2000);
    h.event(compactionStarted({ job: 8, level: 1, inputs: [moved], trivialMove: true }), 100);
    h.event(compactionFinished({ job: 8, level: 1, inputs: [moved], outputs: [{ ...moved, level: 2 }], trivialMove: true, micros: 0 }), 100);
    expect(h.running).toBeUndefined();
    const row = h.rows()[0]!;
    expect(row).toMatchObject({ kind: 'compaction', trivialMove: true, runner: 'manifest', fromLevel: 1, toLevel: 2, bytesIn: 0, bytesOut: 0 });
    expect(writeAmplification(row)).toBeUndefined();
  });

  it('keeps a failed or abandoned job with its error', () => {
    const h = new CompactionHistory();
    const inputs = [table(4, 0, 10), table(5, 1, 30)];
    h.event(compactionStarted({ job: 6, level: 0, inputs }), 0);
    const error = { code: 'IOError', message: 'compaction abandoned: the database was closed' } as const;
    h.event(compactionFinished({ job: 6, level: 0, inputs, outputs: [], error }), 9);
    expect(h.running).toBeUndefined();
    const row = h.rows()[0]!;
    expect(row).toMatchObject({ kind: 'compaction', error, fromLevel: 0, toLevel: 1 });
    expect(writeAmplification(row)).toBeUndefined();
    expect(h.lastCompaction).toBe(row);
  });

  it('records flushes with the table each wrote, or its error', () => {
    const h = new CompactionHistory();
    expect(h.event({ type: 'flush', phase: 'started', job: 1, reason: 'manual', memtableBytes: 10, memtableEntries: 1 }, 100)).toBe(false);
    h.event(flushFinished(1, table(30, 0, 4000), 3000), 103);
    expect(h.rows()[0]).toMatchObject({ id: 'f1', kind: 'flush', at: 100, micros: 3000, reason: 'memtable-full', memtableBytes: 65_536, memtableEntries: 300, output: { number: 30, level: 0, size: 4000 }, error: null });
    h.event(flushFinished(2, null, 10), 200);
    expect(h.rows()[0]).toMatchObject({ id: 'f2', output: null });
    h.event(flushFinished(4, null, 10, { code: 'IOError', message: 'disk' }), 300);
    expect(h.rows()[0]).toMatchObject({ id: 'f4', error: { code: 'IOError' } });
    expect(writeAmplification(h.rows()[0]!)).toBeUndefined();
  });

  it('marks each write stall from its begin to its end, with its cause', () => {
    const h = new CompactionHistory();
    h.event(stall(true, 'l0-slowdown', 8), 1000);
    expect(h.stall).toMatchObject({ kind: 'stall', at: 1000, micros: undefined, cause: 'l0-slowdown', l0Files: 8 });
    // The cause changes: the slowdown ends and a stop begins.
    h.event(stall(false, 'l0-slowdown', 12), 1200);
    h.event(stall(true, 'l0-stop', 12), 1200);
    expect(h.stall).toMatchObject({ cause: 'l0-stop', l0Files: 12 });
    h.event(stall(false, 'l0-stop', 3), 1450);
    expect(h.stall).toBeUndefined();
    expect(h.rows().map((r) => [r.kind === 'stall' && r.cause, r.micros])).toEqual([
      ['l0-stop', 250_000],
      ['l0-slowdown', 200_000],
    ]);
    // An end without a begin (after a reset, say) changes nothing.
    expect(h.event(stall(false), 1500)).toBe(false);
  });

  it('lists newest first, bounds each kind, and bumps versions of changed rows', () => {
    const h = new CompactionHistory(3);
    for (let job = 1; job <= 5; job++) {
      const inputs = [table(job, 0, 10)];
      h.event(compactionStarted({ job, level: 0, inputs }), job * 100);
      h.event(compactionFinished({ job, level: 0, inputs, outputs: [table(job + 100, 1, 10)], micros: 10 }), job * 100 + 10);
    }
    h.event(flushFinished(9, table(50, 0, 10), 1000), 251);
    expect(h.rows().map((r) => r.id)).toEqual(['c5', 'c4', 'c3', 'f9']);
    expect(h.rows(new Set(['flush'])).map((r) => r.id)).toEqual(['f9']);

    const revision = h.revision;
    h.event(stall(true), 600);
    const row: HistoryRow = h.rows()[0]!;
    const version = row.version;
    h.event(stall(false), 610);
    expect(row.version).toBeGreaterThan(version);
    expect(h.revision).toBeGreaterThan(revision);
    expect(h.event(durable, 700)).toBe(false);
    expect(h.event({ type: 'table-deleted', number: 1 }, 700)).toBe(false);
    expect(h.event(progress(99, 'input-sent', 1, 2), 700)).toBe(false);
  });

  it('forgets everything on reset', () => {
    const h = new CompactionHistory();
    h.event(compactionStarted({ job: 1, level: 0, inputs: [table(1, 0, 1)] }), 0);
    h.event(stall(true), 0);
    h.event(flushFinished(2, null), 0);
    h.reset();
    expect(h.running).toBeUndefined();
    expect(h.stall).toBeUndefined();
    expect(h.lastCompaction).toBeUndefined();
    expect(h.rows()).toEqual([]);
  });
});

describe('CompactionHistory on a real engine', () => {
  /** Random puts into a 64 KiB memtable until a compaction that rewrote tables is in the history. */
  async function run(compaction: 'instance' | 'inline') {
    const runtime = await createRuntime();
    const db = await runtime.open(`history-${compaction}`, {
      storage: 'memory',
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      compaction,
      memtableBytes: 64 * 1024,
      durability: 'deferred',
    });
    const history = new CompactionHistory();
    const events: StrataEvent[] = [];
    db.subscribe((event) => {
      events.push(event);
      history.event(event, Date.now());
    });
    const merged = () => history.rows(new Set(['compaction'])).find((r): r is CompactionRow => r.kind === 'compaction' && !r.trivialMove);
    const value = new Uint8Array(200).fill(7);
    const encoder = new TextEncoder();
    try {
      for (let i = 0; i < 4000 && !merged(); i++) {
        await db.put(encoder.encode(`user:${String((i * 7919) % 100_000).padStart(6, '0')}`), value);
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const row = merged();
      expect(row, 'a compaction that rewrote tables').toBeDefined();
      const finished = events.find((e): e is CompactionFinished => e.type === 'compaction' && e.phase === 'finished' && e.job === row!.job)!;
      return { row: row!, finished, events, stats: await db.stats(), flushes: history.rows(new Set(['flush'])) };
    } finally {
      await db.close();
    }
  }

  /** What every compaction row must hold, whichever runner ran it. */
  function checkRow({ row, finished, stats, flushes }: Awaited<ReturnType<typeof run>>) {
    expect(row).toMatchObject({ fromLevel: 0, toLevel: 1, error: null, runner: finished.runner });
    expect(row.inputs.length).toBeGreaterThanOrEqual(2);
    for (const t of row.inputs) expect([0, 1]).toContain(t.level);
    expect(row.bytesIn).toBe(row.inputs.reduce((n, t) => n + t.size, 0));
    expect(row.upperBytesIn).toBe(row.inputs.filter((t) => t.level === 0).reduce((n, t) => n + t.size, 0));
    expect(row.outputs.length).toBeGreaterThan(0);
    expect(row.bytesOut).toBe(row.outputs.reduce((n, t) => n + t.size, 0));
    expect(writeAmplification(row)).toBeGreaterThan(0);
    // Its L0 inputs are tables the recorded flushes wrote.
    const flushed = new Set(flushes.flatMap((f) => (f.kind === 'flush' && f.output ? [f.output.number] : [])));
    for (const t of row.inputs.filter((t) => t.level === 0)) expect(flushed.has(t.number), `table #${t.number} from a flush`).toBe(true);
    // Its outputs are in L1, as the stats list them.
    const l1 = new Set(stats.levels[1]!.tables.map((t) => t.number));
    for (const t of row.outputs) expect(l1.has(t.number), `table #${t.number} in L1`).toBe(true);
  }

  it('records a compaction from L0 into L1 run by another instance, with its tables', async () => {
    const result = await run('instance');
    checkRow(result);
    expect(result.row.runner).toBe('instance');
    const sent = result.events.filter((e) => e.type === 'compaction' && e.phase === 'progress' && e.job === result.row.job);
    expect(sent.length).toBe(result.row.inputs.length + result.row.outputs.length);
  }, 60_000);

  it('records a compaction run inline, with its tables, without a transfer', async () => {
    const result = await run('inline');
    checkRow(result);
    expect(['worker', 'instance', 'manifest']).not.toContain(result.row.runner);
    expect(result.events.some((e) => e.type === 'compaction' && e.phase === 'progress')).toBe(false);
  }, 60_000);
});

describe('CompactionHistory across openings', () => {
  it('names rows by the opening, so a restored row never shares an id with a new one', () => {
    const earlier = new CompactionHistory();
    earlier.reset('1000-');
    earlier.event(flushFinished(3, table(11, 0, 400), 500), 2000);
    expect(earlier.rows()[0]!.id).toBe('1000-f3');
    const now = new CompactionHistory();
    now.reset('9000-');
    now.restore(earlier.rows());
    now.event(flushFinished(3, table(12, 0, 400), 500), 10_000); // job numbers restart with each opening
    expect(now.rows().map((r) => r.id)).toEqual(['9000-f3', '1000-f3']);
  });

  it('restores saved rows in time order within its limit, the newest kept, and knows the last compaction', () => {
    const saved = new CompactionHistory();
    saved.reset('1-');
    const inputs = [table(10, 0, 100), table(5, 1, 800)];
    for (let job = 1; job <= 5; job++) saved.event(compactionFinished({ job, level: 0, inputs, outputs: [table(20 + job, 1, 500)], micros: 1000 }), job * 1000);
    const h = new CompactionHistory(3);
    h.restore([...saved.rows()].reverse()); // oldest first, as stored
    expect(h.rows().map((r) => r.id)).toEqual(['1-c5', '1-c4', '1-c3']);
    expect(h.lastCompaction?.id).toBe('1-c5');
    h.restore(saved.rows()); // the same rows again (a viewer reloading): no duplicates
    expect(h.rows()).toHaveLength(3);
  });

  it('leaves out a stall that never ended (its page went away) and malformed rows', () => {
    const saved = new CompactionHistory();
    saved.event(stall(true), 1000);
    const open = saved.rows()[0]!;
    expect(open.micros).toBeUndefined();
    const h = new CompactionHistory();
    h.restore([open, { kind: 'nonsense' } as never, null as never]);
    expect(h.rows()).toEqual([]);
  });

  it('tells which rows an event added or changed, to save them', () => {
    const h = new CompactionHistory();
    h.event(stall(true), 1000);
    expect(h.touched.map((r) => r.kind)).toEqual(['stall']);
    h.event(stall(false), 1500);
    expect(h.touched).toHaveLength(1);
    expect(h.touched[0]!.micros).toBe(500_000);
    h.event(progress(9, 'input-sent', 1, 2), 1600);
    expect(h.touched).toEqual([]);
  });
});

