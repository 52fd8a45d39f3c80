import { describe, expect, it } from 'vitest';
import { CompactionHistory, type CompactionRow, type HistoryRow } from '../src/model/compaction-history.js';
import { HISTORY_COLUMNS, historyCells, historyTitle, lastCompactionText } from '../src/model/history-text.js';
import { compactionFinished, compactionStarted, flushFinished, stall, table } from './event-fixture.js';

const KiB = 1024;
const inputs = [table(10, 0, 100 * KiB, ['apple', 'melon']), table(11, 0, 100 * KiB), table(5, 1, 800 * KiB)];
const outputs = [table(20, 1, 500 * KiB), table(21, 1, 450 * KiB)];

/** The one row the history holds after `events`, each at t = 1000. */
function rowOf(...events: Parameters<CompactionHistory['event']>[0][]): HistoryRow {
  const h = new CompactionHistory();
  for (const e of events) h.event(e, 1000);
  return h.rows()[0]!;
}

/** Cells past "When", by column label. */
function cells(row: HistoryRow): Record<string, string> {
  const texts = historyCells(row);
  expect(texts).toHaveLength(HISTORY_COLUMNS.length);
  return Object.fromEntries(HISTORY_COLUMNS.slice(1).map((c, i) => [c.label, texts[i + 1]!]));
}

describe('history rows as text', () => {
  it('a compaction: levels, bytes, write amplification, tables, runner', () => {
    const row = rowOf(compactionFinished({ job: 3, level: 0, inputs, outputs, micros: 2500 }));
    expect(cells(row)).toEqual({
      What: 'job #3',
      Levels: 'L0 → L1',
      Duration: '2.50 ms',
      In: '1000 KiB',
      Out: '950 KiB',
      'W-amp': '4.75×',
      Tables: '3 → 2',
      Runner: 'worker',
    });
    const title = historyTitle(row);
    expect(title).toContain('job #3 (score 1.25), L0 → L1, ran in the compaction worker');
    expect(title).toContain('inputs L0: #10 (100 KiB, apple … melon), #11 (100 KiB, k11a … k11z)');
    expect(title).toContain('inputs L1: #5 (800 KiB, k5a … k5z)');
    expect(title).toContain('outputs L1: #20 (500 KiB, k20a … k20z), #21');
    expect(title).toContain('read from L0: 200 KiB of 1000 KiB');
  });

  it('a trivial move and a failed job', () => {
    const moved = table(40, 1, 2 * KiB);
    const move = rowOf(compactionFinished({ job: 8, level: 1, inputs: [moved], outputs: [{ ...moved, level: 2 }], trivialMove: true, micros: 0 }));
    expect(cells(move)).toMatchObject({ What: 'job #8 move', Levels: 'L1 → L2', In: '–', Out: '–', 'W-amp': '–', Tables: '1 moved', Runner: 'manifest' });
    expect(historyTitle(move)).toContain('moved table #40 (2.00 KiB, k40a … k40z) down by a manifest edit');

    const error = { code: 'IOError', message: 'compaction abandoned: the database was closed' } as const;
    const failed = rowOf(compactionStarted({ job: 9, level: 0, inputs }), compactionFinished({ job: 9, level: 0, inputs, outputs: [], error }));
    expect(cells(failed)).toMatchObject({ What: 'job #9 failed', Levels: 'L0 → L1', Out: '–', 'W-amp': '–', Tables: '3 → –' });
    expect(historyTitle(failed)).toContain('failed: IOError: compaction abandoned: the database was closed');
    expect(lastCompactionText(failed as CompactionRow, 2000)).toBe('last: job #9 L0 → L1 failed: IOError: compaction abandoned: the database was closed · 1.0 s ago');
  });

  it('a flush: the memtable in, its table out, and why', () => {
    const row = rowOf(flushFinished(4, table(30, 0, 40 * KiB), 3000));
    expect(cells(row)).toEqual({ What: 'flush #4', Levels: 'mem → L0', Duration: '3.00 ms', In: '64.0 KiB', Out: '40.0 KiB', 'W-amp': '–', Tables: '→ 1', Runner: '–' });
    expect(historyTitle(row)).toBe(
      'flush #4: the memtable was full\nmemtable: 64.0 KiB, 300 entries\nwrote #30 (40.0 KiB, k30a … k30z)\n4,096 entries, 0 tombstones, seq 3000–3099',
    );
    expect(cells(rowOf(flushFinished(5, null)))).toMatchObject({ Out: '–', Tables: '→ 0' });
  });

  it('a write stall: its cause, and L0 when it began', () => {
    const row = rowOf(stall(true, 'l0-stop', 12));
    expect(cells(row)).toMatchObject({ What: 'write stall', Levels: 'writes stopped', Duration: 'ongoing', Tables: 'L0: 12' });
    expect(historyTitle(row)).toBe('L0 reached its stop trigger: writes wait for a compaction\nL0 had 12 files when it began');
  });

  it('the last compaction, for the idle panel', () => {
    const h = new CompactionHistory();
    h.event(compactionFinished({ job: 3, level: 0, inputs, outputs, micros: 2500 }), 1000);
    expect(lastCompactionText(h.lastCompaction!, 5000)).toBe('last: job #3 L0 → L1 · 1000 KiB → 950 KiB (W-amp 4.75×) · 2.50 ms · 4.0 s ago');
  });
});
