import { describe, expect, it } from 'vitest';
import type { StrataEvent } from 'stratadb';
import { EventLog, atLeast, entryForEvent, entryForNote, toJsonLines } from '../src/model/event-log.js';

const AT = Date.UTC(2026, 10, 24, 18, 0, 0);

describe('event log entries', () => {
  const events: [StrataEvent, string, string][] = [
    [{ type: 'flush', phase: 'started' }, 'flush.started', 'info'],
    [{ type: 'flush', phase: 'finished', micros: 5300, l0Files: 3 }, 'flush.finished', 'info'],
    [{ type: 'compaction', phase: 'started', job: 4, runner: 'worker', inputs: [{ path: '/stratadb/d/000012.sst', bytes: 100 }, { path: '/stratadb/d/000013.sst', bytes: 50 }] }, 'compaction.started', 'info'],
    [{ type: 'compaction', phase: 'progress', job: 4, step: 'input-sent', done: 1, total: 2 }, 'compaction.progress', 'debug'],
    [{ type: 'compaction', phase: 'finished', job: 4, runner: 'here', outputs: [{ path: '/stratadb/d/000020.sst', bytes: 120 }], bytesWritten: 120, micros: 9000 }, 'compaction.finished', 'info'],
    [{ type: 'write-stall', stalled: true }, 'write-stall.on', 'warn'],
    [{ type: 'write-stall', stalled: false }, 'write-stall.off', 'info'],
    [{ type: 'durable', commit: 7, filesStored: 2, filesDeleted: 1, bytes: 4096, micros: 800, idbDurability: 'strict' }, 'durable', 'debug'],
    [{ type: 'error', code: 'QuotaExceeded', message: 'the disk is full' }, 'error', 'error'],
  ];

  it.each(events)('%o logs as its event name and level', (event, name, level) => {
    const entry = entryForEvent(event, AT);
    expect(entry.event).toBe(name);
    expect(entry.level).toBe(level);
    expect(entry.source).toBe('engine');
    expect(entry.ts).toBe('2026-11-24T18:00:00.000Z');
    expect(entry.message.length).toBeGreaterThan(0);
  });

  it('keeps the data of an event as fields: file names, bytes, codes', () => {
    const started = entryForEvent(events[2]![0], AT);
    expect(started.inputs).toEqual(['000012.sst', '000013.sst']);
    expect(started.bytesIn).toBe(150);
    expect(entryForEvent(events[8]![0], AT).code).toBe('QuotaExceeded');
  });

  it('says where a compaction ran, and counts files only where the runner reports them', () => {
    expect(entryForEvent(events[1]![0], AT).message).toBe('memtable flushed in 5.3 ms; L0 has 3 files');
    expect(entryForEvent(events[2]![0], AT).message).toBe('compaction 4 started in the compaction worker on 2 files');
    expect(entryForEvent(events[4]![0], AT).message).toBe('compaction 4 finished in 9.0 ms');
    const started: StrataEvent = { type: 'compaction', phase: 'started', job: 5, runner: 'here', inputs: [] };
    expect(entryForEvent(started, AT).message).toBe("compaction 5 started in the database's own instance");
    const finished: StrataEvent = { type: 'compaction', phase: 'finished', job: 6, runner: 'instance', outputs: [{ path: '/d/000030.sst', bytes: 1 }], bytesWritten: 1, micros: 1500 };
    expect(entryForEvent(finished, AT).message).toBe('compaction 6 finished in 1.5 ms: 1 file out');
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
    const log = new EventLog(4);
    for (const level of ['debug', 'warn', 'info', 'error', 'debug', 'warn'] as const) {
      log.add(entryForNote(level, level, {}, AT));
      for (const min of ['debug', 'info', 'warn', 'error'] as const) expect(log.count(min), min).toBe(log.filter(min).length);
    }
    expect(log.count('warn')).toBe(2);
  });

  it('writes JSON lines that parse back to the entries', () => {
    const entries = [entryForEvent({ type: 'write-stall', stalled: true }, AT), entryForNote('info', 'quote " and \n newline', {}, AT)];
    const text = toJsonLines(entries);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(entries);
    expect(toJsonLines([])).toBe('');
  });
});
