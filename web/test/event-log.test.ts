import { describe, expect, it } from 'vitest';
import type { StrataEvent } from 'stratadb';
import { EventLog, atLeast, entryForEvent, entryForNote, entryLevels, matchesText, toJsonLines } from '../src/model/event-log.js';
import { compactionFinished, compactionStarted, flushFinished, stall, table } from './event-fixture.js';

const AT = Date.UTC(2026, 10, 24, 18, 0, 0);

const inputs = [table(12, 0, 100 * 1024, ['a', 'm']), table(13, 0, 50 * 1024), table(7, 1, 250 * 1024)];
const outputs = [table(20, 1, 300 * 1024)];
const moved = table(40, 2, 2048);

describe('event log entries', () => {
  const events: [StrataEvent, string, string][] = [
    [{ type: 'flush', phase: 'started', job: 3, reason: 'memtable-full', memtableBytes: 65_536, memtableEntries: 300 }, 'flush.started', 'info'],
    [flushFinished(3, table(11, 0, 40 * 1024), 5300), 'flush.finished', 'info'],
    [compactionStarted({ job: 4, level: 0, inputs }), 'compaction.started', 'info'],
    [{ type: 'compaction', phase: 'progress', job: 4, step: 'input-sent', done: 1, total: 3 }, 'compaction.progress', 'debug'],
    [compactionFinished({ job: 4, level: 0, inputs, outputs, micros: 9000 }), 'compaction.finished', 'info'],
    [{ type: 'table-created', job: 4, byCompaction: true, table: outputs[0]! }, 'table-created', 'debug'],
    [{ type: 'table-deleted', number: 12 }, 'table-deleted', 'debug'],
    [{ type: 'wal-segment-closed', number: 9, bytes: 2048, records: 17 }, 'wal-segment-closed', 'debug'],
    [stall(true), 'write-stall.on', 'warn'],
    [stall(false), 'write-stall.off', 'info'],
    [{ type: 'durable', commit: 7, filesStored: 2, filesStoredAhead: 1, filesDeleted: 1, bytes: 4096, micros: 800, idbDurability: 'strict' }, 'durable', 'debug'],
    [{ type: 'error', code: 'QuotaExceeded', message: 'the disk is full' }, 'error', 'error'],
  ];

  it.each(events)('%o logs as its event name and level', (event, name, level) => {
    const entry = entryForEvent(event, AT);
    expect(entry.event).toBe(name);
    expect(entry.level).toBe(level);
    expect(entry.source).toBe('engine');
    expect(entry.ts).toBe('2026-11-24T18:00:00.000Z');
    expect(entry.message.length).toBeGreaterThan(0);
    // Every entry survives a JSON line: no bytes left in it.
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  it('keeps the data of an event as fields: tables with quoted keys, levels, bytes, codes', () => {
    const started = entryForEvent(events[2]![0], AT);
    expect(started).toMatchObject({ job: 4, reason: 'score', inputLevel: 0, outputLevel: 1, trivialMove: false });
    // The fixed fields lead each line; the job's levels do not take the entry's `level`.
    expect(Object.keys(started).slice(0, 5)).toEqual(['ts', 'level', 'source', 'event', 'message']);
    expect(started.level).toBe('info');
    expect(started.inputs).toEqual([
      { ...inputs[0], smallestKey: 'a', largestKey: 'm' },
      { ...inputs[1], smallestKey: 'k13a', largestKey: 'k13z' },
      { ...inputs[2], smallestKey: 'k7a', largestKey: 'k7z' },
    ]);
    const finished = entryForEvent(events[4]![0], AT);
    expect(finished).toMatchObject({ level: 'info', runner: 'worker', bytesRead: 400 * 1024, bytesWritten: 300 * 1024, micros: 9000, error: null });
    expect((finished.outputs as { number: number }[]).map((t) => t.number)).toEqual([20]);
    expect(entryForEvent(events[1]![0], AT)).toMatchObject({ job: 3, reason: 'memtable-full', output: { number: 11, level: 0 }, micros: 5300 });
    expect(entryForEvent(events[8]![0], AT)).toMatchObject({ cause: 'l0-stop', l0Files: 12 });
    expect(entryForEvent(events[11]![0], AT).code).toBe('QuotaExceeded');
  });

  it('says what a flush did and why', () => {
    expect(entryForEvent(events[0]![0], AT).message).toBe('flush 3 started, the memtable was full: 64.0 KiB, 300 entries');
    expect(entryForEvent(events[1]![0], AT).message).toBe('flush 3 (memtable-full) wrote table #11 to L0 (40.0 KiB, 4,096 entries) in 5.30 ms');
    expect(entryForEvent(flushFinished(5, null, 40), AT).message).toBe('flush 5 (memtable-full) wrote nothing: the memtable held no entries in 40 µs');
    const failed = entryForEvent(flushFinished(6, null, 40, { code: 'IOError', message: 'disk gone' }), AT);
    expect(failed).toMatchObject({ level: 'warn', message: 'flush 6 (memtable-full) failed: IOError: disk gone' });
  });

  it('says which levels and tables a compaction took, where it ran and what it wrote', () => {
    expect(entryForEvent(events[2]![0], AT).message).toBe('compaction 4 (score 1.25) started: L0 → L1, 2 L0 + 1 L1 tables (400 KiB)');
    expect(entryForEvent(events[4]![0], AT).message).toBe(
      'compaction 4 finished in 9.00 ms in the compaction worker: L0 → L1, 3 tables (400 KiB) → 1 table (300 KiB), entries 40,960 → 30,720, W-amp 2.00×',
    );
    const manual = compactionStarted({ job: 5, level: 1, inputs: [table(1, 1, 10)], reason: 'manual' });
    expect(entryForEvent(manual, AT).message).toBe('compaction 5 (manual) started: L1 → L2, 1 L1 + 0 L2 tables (10 B)');
  });

  it('tells a trivial move and a failed job apart from a compaction', () => {
    const move = { job: 8, level: 2, inputs: [moved], trivialMove: true };
    expect(entryForEvent(compactionStarted(move), AT).message).toBe('compaction 8 (score 1.25) moves table #40 from L2 to L3');
    const done = entryForEvent(compactionFinished({ ...move, outputs: [{ ...moved, level: 3 }] }), AT);
    expect(done.message).toBe('compaction 8 moved table #40 from L2 to L3 by a manifest edit alone (a trivial move)');
    const error = { code: 'IOError', message: 'compaction abandoned: the database was closed' } as const;
    const failed = entryForEvent(compactionFinished({ job: 9, level: 0, inputs, outputs: [], error }), AT);
    expect(failed).toMatchObject({ level: 'warn', error, message: 'compaction 9 (L0 → L1) failed: IOError: compaction abandoned: the database was closed' });
  });

  it('names the cause of a write stall, and the table and WAL files', () => {
    expect(entryForEvent(stall(true, 'l0-stop', 12), AT).message).toBe('writes stopped: L0 reached its stop trigger: writes wait for a compaction (L0 has 12 files)');
    expect(entryForEvent(stall(true, 'memtable-flushing', 3), AT).message).toMatch(/^writes wait for a flush: .*previous one is still being flushed/);
    expect(entryForEvent(stall(false, 'l0-slowdown', 1), AT).message).toBe('writes go on again: the l0-slowdown stall is over (L0 has 1 file)');
    expect(entryForEvent(events[5]![0], AT).message).toBe('table #20 created in L1 by compaction 4: 300 KiB, 30,720 entries');
    expect(entryForEvent(events[7]![0], AT).message).toBe('WAL segment #9 closed: 17 records, 2.00 KiB');
  });

  it('a note cannot overwrite the fixed fields', () => {
    const entry = entryForNote('warn', 'careful', { level: 'debug', ts: 'x', extra: 1 }, AT);
    expect(entry).toMatchObject({ level: 'warn', ts: '2026-11-24T18:00:00.000Z', source: 'dashboard', message: 'careful', extra: 1 });
  });
});

describe('EventLog', () => {
  it('filters by the lowest level shown', () => {
    const log = new EventLog();
    for (const level of ['debug', 'info', 'warn', 'error'] as const) log.add(entryForNote(level, level, {}, AT));
    expect(log.filter('debug').map((e) => e.level)).toEqual(['debug', 'info', 'warn', 'error']);
    expect(log.filter('warn').map((e) => e.level)).toEqual(['warn', 'error']);
    expect(log.filter('error').map((e) => e.level)).toEqual(['error']);
    expect(atLeast(entryForNote('info', 'x'), 'warn')).toBe(false);
  });

  it('keeps only the newest entries up to its capacity', () => {
    const log = new EventLog(3);
    for (let i = 0; i < 5; i++) log.add(entryForNote('info', `m${i}`, {}, AT));
    expect(log.size).toBe(3);
    expect(log.filter('debug').map((e) => e.message)).toEqual(['m2', 'm3', 'm4']);
    log.clear();
    expect(log.size).toBe(0);
    expect(log.count('debug')).toBe(0);
  });

  it('counts what each filter shows, as entries come and go', () => {
    const log = new EventLog(3, 1);
    for (const level of ['debug', 'warn', 'info', 'error', 'debug', 'warn'] as const) {
      log.add(entryForNote(level, level, {}, AT));
      for (const min of ['debug', 'info', 'warn', 'error'] as const) expect(log.count(min), min).toBe(log.filter(min).length);
    }
    expect(log.count('warn')).toBe(2);
  });

  it('writes JSON lines that parse back to the entries', () => {
    const entries = [entryForEvent(stall(true), AT), entryForNote('info', 'quote " and \n newline', {}, AT)];
    const text = toJsonLines(entries);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(entries);
    expect(toJsonLines([])).toBe('');
  });
});

describe('the log as columns', () => {
  const at = (i: number) => AT + i * 1000;

  it('lists newest first, merging debug entries with the rest by time', () => {
    const log = new EventLog();
    log.add(entryForNote('info', 'first', {}, at(0)));
    log.add(entryForEvent({ type: 'durable', commit: 1, filesStored: 1, filesStoredAhead: 0, filesDeleted: 0, bytes: 10, micros: 5, idbDurability: 'strict' }, at(1)));
    log.add(entryForNote('warn', 'third', {}, at(2)));
    expect(log.query('debug').map((e) => e.message)).toEqual(['third', 'commit 1 durable: 1 files stored, 0 deleted', 'first']);
    expect(log.query('info').map((e) => e.message)).toEqual(['third', 'first']);
    expect(log.query('debug', '', 2)).toHaveLength(2);
    expect(log.filter('debug').map((e) => e.message)[0]).toBe('first'); // oldest first for download
  });

  it('keeps a flood of debug entries from pushing out the rest', () => {
    const log = new EventLog(10, 5);
    log.add(entryForNote('warn', 'keep me', {}, at(0)));
    for (let i = 1; i <= 100; i++) log.add(entryForNote('debug', `noise ${i}`, {}, at(i)));
    expect(log.query('info').map((e) => e.message)).toEqual(['keep me']);
    expect(log.query('debug')).toHaveLength(6);
    expect(log.count('debug')).toBe(6);
  });

  it('restores saved entries before the ones it has, within its bounds', () => {
    const log = new EventLog(3, 2);
    log.add(entryForNote('info', 'now', {}, at(10)));
    log.restore([entryForNote('info', 'saved 1', {}, at(1)), entryForNote('info', 'saved 2', {}, at(2)), entryForNote('info', 'saved 3', {}, at(3))]);
    expect(log.query('info').map((e) => e.message)).toEqual(['now', 'saved 3', 'saved 2']);
    expect(log.count('info')).toBe(3);
    // Anything malformed in storage is left out.
    log.restore([{ nonsense: true } as never]);
    expect(log.size).toBe(3);
  });

  it('leaves out saved entries that are not older than its own (saved by this opening meanwhile)', () => {
    const log = new EventLog();
    const opened = entryForNote('info', 'opened db', {}, at(10));
    log.add(opened);
    log.restore([entryForNote('info', 'earlier', {}, at(5)), opened]);
    expect(log.query('info').map((e) => e.message)).toEqual(['opened db', 'earlier']);
  });

  it('forgets what came before an opening', () => {
    const log = new EventLog();
    for (let i = 0; i < 5; i++) log.add(entryForNote(i % 2 ? 'debug' : 'info', `m${i}`, {}, at(i)));
    log.dropBefore(new Date(at(3)).toISOString());
    expect(log.query('debug').map((e) => e.message)).toEqual(['m4', 'm3']);
    expect(log.count('debug')).toBe(2);
  });

  it('filters by text in the event name, message or levels', () => {
    const log = new EventLog();
    log.add(entryForEvent(compactionFinished({ job: 4, level: 0, inputs, outputs, micros: 9000 }), at(0)));
    log.add(entryForNote('info', 'opened demo', {}, at(1)));
    expect(log.query('debug', 'COMPACTION').map((e) => e.event)).toEqual(['compaction.finished']);
    expect(log.query('debug', 'l0 → l1')).toHaveLength(1);
    expect(log.query('debug', 'demo').map((e) => e.message)).toEqual(['opened demo']);
    expect(matchesText(entryForNote('info', 'x', {}, AT), '  ')).toBe(true);
  });

  it('names the levels an entry is about', () => {
    expect(entryLevels(entryForEvent(compactionStarted({ job: 4, level: 1, inputs }), AT))).toBe('L1 → L2');
    expect(entryLevels(entryForEvent(flushFinished(3, table(11, 0, 40 * 1024), 5300), AT))).toBe('→ L0');
    expect(entryLevels(entryForEvent({ type: 'table-created', job: 4, byCompaction: true, table: table(20, 2, 1024) }, AT))).toBe('L2');
    expect(entryLevels(entryForEvent(stall(true), AT))).toMatch(/^L0 \(\d+ files?\)$/);
    expect(entryLevels(entryForNote('info', 'opened demo', {}, AT))).toBe('');
  });
});

