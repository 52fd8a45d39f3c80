import { type Database, type Stats, type WorkerDatabase, createRuntime } from 'stratadb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { utf8 } from '../src/app/bytes-text.js';
import { type CommandResult, type ConsoleDb, ECHO_CHARS, clipLines, echoText, formatElapsed, infoLines, isWrite, runLine, statsLines } from '../src/console/execute.js';
import { COMMAND_NAMES, helpExamples, helpLines, parseLine } from '../src/console/parse.js';

// Both handles the console meets fit its interface (tsc checks this).
type Fits<T extends ConsoleDb> = T;
export type HandlesFit = [Fits<WorkerDatabase<'binary', 'binary'>>, Fits<Database<'binary', 'binary'>>];

let db: Database<'binary', 'binary'>;

beforeEach(async () => {
  const runtime = await createRuntime();
  db = await runtime.open('console-test', { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary', compaction: 'inline' });
});

afterEach(async () => {
  if (!db.closed) await db.close();
});

/** The output lines of `line` as "kind text"; target null: no database is open. */
async function run(line: string, target: ConsoleDb | null = db): Promise<string[]> {
  const result = await runLine(line, target ?? undefined);
  return result.lines.map((l) => `${l.kind} ${l.text}`);
}

async function runAll(...lines: string[]): Promise<void> {
  for (const line of lines) {
    const out = await run(line);
    expect(out.some((l) => l.startsWith('error')), `${line}: ${out.join(' | ')}`).toBe(false);
  }
}

describe('writes and reads', () => {
  it('PUT, GET, DEL', async () => {
    expect(await run('PUT user:1 alice')).toEqual(['ok OK']);
    expect(await run('GET user:1')).toEqual(['value alice']);
    expect(await run('put "a key" "two words"')).toEqual(['ok OK']);
    expect(await run('get "a key"')).toEqual(['value "two words"']);
    expect(await run('DEL user:1')).toEqual(['ok OK']);
    expect(await run('GET user:1')).toEqual(['nil (nil)']);
    expect(await run('DEL never-there')).toEqual(['ok OK']);
  });

  it('binary keys and values through \\x escapes', async () => {
    expect(await run('PUT "\\x00\\xff" "\\x01\\x02\\n"')).toEqual(['ok OK']);
    expect(db.get(Uint8Array.from([0, 255]))).toEqual(Uint8Array.from([1, 2, 10]));
    expect(await run('GET "\\x00\\xff"')).toEqual(['value "\\x01\\x02\\n"']);
    expect(await run('SCAN - +')).toEqual(['value 1) "\\x00\\xff" => "\\x01\\x02\\n"', 'info (1 entry)']);
  });

  it('an empty value is not a missing one', async () => {
    await runAll('PUT k ""');
    expect(await run('GET k')).toEqual(['value ""']);
  });

  it('shows a long value cut, with its size', async () => {
    await db.put(utf8('big'), new Uint8Array(5000).fill(0x61));
    const [out] = await run('GET big');
    expect(out).toBe(`value ${'a'.repeat(1024)}… (5000 bytes)`);
  });

  it('BATCH applies every operation at once', async () => {
    await runAll('PUT gone 1');
    const before = db.stats().lastSequence;
    expect(await run('BATCH PUT a 1; PUT b 2; DEL gone; PUT "c d" "3 4"')).toEqual(['ok OK, 4 operations']);
    expect(db.stats().batchWrites).toBe(1);
    expect(db.stats().lastSequence).toBe(before + 4);
    expect(await run('SCAN - +')).toEqual(['value 1) a => 1', 'value 2) b => 2', 'value 3) "c d" => "3 4"', 'info (3 entries)']);
  });

  it('a refused BATCH writes nothing', async () => {
    expect(await run('BATCH PUT a 1; FROB b')).toEqual([
      'error (error) operation 2: FROB is not PUT or DEL: BATCH PUT key value; DEL key; ...',
    ]);
    expect(await run('GET a')).toEqual(['nil (nil)']);
    expect(db.stats().lastSequence).toBe(0);
  });
});

describe('SCAN', () => {
  beforeEach(async () => {
    await db.batch(['a', 'b', 'c', 'd', 'e'].map((k, i) => ({ type: 'put' as const, key: utf8(k), value: utf8(`v${i}`) })));
  });

  it('start inclusive, end exclusive', async () => {
    expect(await run('SCAN b d')).toEqual(['value 1) b => v1', 'value 2) c => v2', 'info (2 entries)']);
  });

  it('open ends', async () => {
    expect((await run('SCAN - c')).slice(0, -1)).toEqual(['value 1) a => v0', 'value 2) b => v1']);
    expect((await run('SCAN d +')).slice(0, -1)).toEqual(['value 1) d => v3', 'value 2) e => v4']);
    expect(await run('SCAN - +')).toHaveLength(6);
  });

  it('REV walks the same range backwards', async () => {
    expect(await run('SCAN b e REV')).toEqual(['value 1) d => v3', 'value 2) c => v2', 'value 3) b => v1', 'info (3 entries)']);
  });

  it('LIMIT stops early and gives the SCAN for the next page', async () => {
    expect(await run('SCAN - + LIMIT 2')).toEqual(['value 1) a => v0', 'value 2) b => v1', 'info (2 entries, more: SCAN c + LIMIT 2)']);
    expect(await run('SCAN c + LIMIT 2')).toEqual(['value 1) c => v2', 'value 2) d => v3', 'info (2 entries, more: SCAN e + LIMIT 2)']);
    expect(await run('SCAN e + LIMIT 2')).toEqual(['value 1) e => v4', 'info (1 entry)']);
  });

  it('the next-page hint works in reverse too', async () => {
    expect(await run('SCAN - + LIMIT 2 REV')).toEqual(['value 1) e => v4', 'value 2) d => v3', 'info (2 entries, more: SCAN - d LIMIT 2 REV)']);
    expect((await run('SCAN - d LIMIT 2 REV')).slice(0, 2)).toEqual(['value 1) c => v2', 'value 2) b => v1']);
  });

  it('exactly LIMIT entries is not "more"', async () => {
    expect((await run('SCAN - + LIMIT 5')).at(-1)).toBe('info (5 entries)');
  });

  it('an empty range', async () => {
    expect(await run('SCAN x z')).toEqual(['info (empty)']);
  });

  it('numbers rows to a common width', async () => {
    await db.batch(Array.from({ length: 10 }, (_, i) => ({ type: 'put' as const, key: utf8(`k${i}`), value: utf8('v') })));
    const out = await run('SCAN k +');
    expect(out[0]).toBe('value  1) k0 => v');
    expect(out[9]).toBe('value 10) k9 => v');
  });
});

describe('FLUSH, COMPACT, STATS, INFO', () => {
  const l0Row = async () => (await run('STATS')).find((l) => l.startsWith('info L0'));

  it('FLUSH puts a table in L0, which STATS shows', async () => {
    await runAll('PUT a 1', 'PUT b 2');
    expect(await l0Row()).toMatch(/^info L0 +0 files/);
    expect(await run('FLUSH')).toEqual(['ok OK']);
    expect(await l0Row()).toMatch(/^info L0 +1 file /);
    expect((await run('STATS')).join('\n')).toMatch(/memtable +.* of .* · 0 entries/);
  });

  it('COMPACT moves L0 tables down a level and keeps the data', async () => {
    await runAll('PUT a 1', 'FLUSH', 'PUT b 2', 'FLUSH', 'DEL a', 'FLUSH');
    expect(await l0Row()).toMatch(/^info L0 +3 files/);
    expect(await run('COMPACT')).toEqual(['ok OK']);
    const stats = (await run('STATS')).join('\n');
    expect(stats).toMatch(/L0 +0 files/);
    expect(stats).toMatch(/L[1-6] +1 file /);
    expect(await run('SCAN - +')).toEqual(['value 1) b => 2', 'info (1 entry)']);
  });

  it('COMPACT with a range', async () => {
    await runAll('PUT a 1', 'PUT m 2', 'FLUSH');
    expect(await run('COMPACT a m')).toEqual(['ok OK']);
    expect(await run('COMPACT - +')).toEqual(['ok OK']);
    expect(await run('GET m')).toEqual(['value 2']);
  });

  it('STATS is a compact summary', async () => {
    const text = (await run('STATS')).join('\n');
    for (const label of ['memtable', 'wal', 'L0', 'compaction', 'write amp', 'reads', 'access']) expect(text).toContain(`info ${label}`);
    expect(text).toContain('block cache');
    expect(text).toContain('bloom');
  });

  it('INFO names the database and its thresholds', async () => {
    await runAll('PUT a 1');
    const text = (await run('INFO')).join('\n');
    expect(text).toMatch(/info name +console-test/);
    expect(text).toMatch(/info access +writer/);
    expect(text).toMatch(/info last seq +1\n/);
    expect(text).toMatch(/compact at \d+ · slow writes at \d+ · stop at \d+/);
    expect(text).toMatch(/info commits /);
    expect(text).toMatch(/info durable /);
  });
});

describe('errors', () => {
  it('a refused line never reaches the database', async () => {
    expect(await run('PUT k')).toEqual(['error (error) PUT needs a key and a value: PUT key value']);
    expect(db.stats().puts).toBe(0);
  });

  it('engine errors become one line with their code', async () => {
    await db.close();
    const [out, ...rest] = await run('GET k');
    expect(rest).toEqual([]);
    expect(out).toMatch(/^error \(error\) Closed: /);
  });

  it('with no database open', async () => {
    expect(await run('GET k', null)).toEqual(['error (error) no database is open']);
    expect((await run('HELP', null))[0]).toMatch(/^info PUT key value/);
  });

  it('a StrataError-like failure keeps its code; anything else its message', async () => {
    const failing = (error: unknown): ConsoleDb => ({ ...db, name: 'x', get: () => Promise.reject(error) }) as unknown as ConsoleDb;
    expect(await run('GET k', failing(Object.assign(new Error('try later'), { code: 'Busy' })))).toEqual(['error (error) Busy: try later']);
    expect(await run('GET k', failing(new Error('boom')))).toEqual(['error (error) boom']);
  });
});

describe('results', () => {
  it('times commands that reach the database, not the others', async () => {
    let now = 0;
    const clock = () => (now += 1.25);
    const timed: CommandResult = await runLine('PUT a 1', db, clock);
    expect(timed.elapsedMs).toBe(1.25);
    expect((await runLine('HELP', db, clock)).elapsedMs).toBeUndefined();
    expect((await runLine('PUT', db, clock)).elapsedMs).toBeUndefined();
    expect(formatElapsed(1.234)).toBe('(1.2 ms)');
    expect(formatElapsed(123.4)).toBe('(123 ms)');
  });

  it('CLEAR and HELP answer without touching the database', async () => {
    expect(await runLine('CLEAR', undefined)).toMatchObject({ lines: [], command: { name: 'CLEAR' } });
    expect((await run('HELP SCAN', null))[0]).toBe('info SCAN start end [LIMIT n] [REV]');
  });

  it('isWrite tells which commands change the database', () => {
    const writes = ['PUT a 1', 'DEL a', 'BATCH DEL a', 'FLUSH', 'COMPACT'];
    const reads = ['GET a', 'SCAN - +', 'STATS', 'INFO', 'HELP', 'CLEAR'];
    const commandOf = (line: string) => {
      const parsed = parseLine(line);
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.command;
    };
    expect(writes.map((l) => isWrite(commandOf(l)))).toEqual(writes.map(() => true));
    expect(reads.map((l) => isWrite(commandOf(l)))).toEqual(reads.map(() => false));
  });

  it('clipLines keeps the head and the summary of a long result', () => {
    const lines = Array.from({ length: 10 }, (_, i) => ({ kind: 'value' as const, text: `row ${i}` }));
    expect(clipLines(lines, 10)).toBe(lines);
    expect(clipLines(lines, 5).map((l) => l.text)).toEqual(['row 0', 'row 1', 'row 2', '… 6 lines not shown', 'row 9']);
  });

  it('STATS and INFO format a read-only database and levels that want compaction', () => {
    const stats = db.stats();
    const sick: Stats = {
      ...stats,
      readOnly: true,
      readOnlyReason: 'quota exceeded',
      levels: stats.levels.map((level) => (level.level === 1 ? { ...level, files: 2, bytes: 3 << 20, score: 1.5 } : level)),
      commits: { ...stats.commits, lastDurableAt: 1_000, filesStored: 7, filesStoredAhead: 2 },
    };
    const failed = { state: 'read-only', label: 'read-only', detail: 'The database is read-only: quota exceeded. Reads still work; writes are refused.', writable: false } as const;
    const text = statsLines(sick, failed).join('\n');
    expect(text).toMatch(/access +read-only: The database is read-only: quota exceeded\./);
    expect(text).toMatch(/L1 +2 files +3\.00 MiB of .* score 1\.50 \(wants compaction\)/);
    expect(infoLines('x', sick, 4_000, failed).join('\n')).toMatch(/durable +3\.0 s ago/);
    expect(infoLines('x', sick, 4_000, failed).join('\n')).toMatch(/commits +.* 7 files stored \(2 ahead by a worker\)/);
  });

  it('INFO and STATS say what the handle may do, as the top bar does', async () => {
    await db.put(utf8('k'), utf8('v'));
    const writer = await run('INFO');
    expect(writer.join('\n')).toMatch(/access +writer \(writes accepted\)/);
    // A viewer: a read-only handle while another tab writes; the engine itself is fine.
    const viewer = { ...db, name: 'x', readOnly: true, readOnlyError: undefined, stats: () => db.stats() } as unknown as ConsoleDb;
    expect((await run('INFO', viewer)).join('\n')).toMatch(/access +viewer: Another tab or worker writes to this database/);
    expect((await run('STATS', viewer)).join('\n')).toMatch(/access +viewer: /);
  });

  it('tells a viewer why a write was refused', async () => {
    const refused = Object.assign(new Error('this handle of database x is read-only'), { code: 'ReadOnly' });
    const viewer = { ...db, name: 'x', readOnly: true, readOnlyError: undefined, put: () => Promise.reject(refused) } as unknown as ConsoleDb;
    expect(await run('PUT k v', viewer)).toEqual([
      'error (error) ReadOnly: this handle of database x is read-only (this tab is a viewer: another tab writes to x; take over writing once it is gone)',
    ]);
  });

  it('shows no write amplification until enough was written to tell', async () => {
    await runAll('PUT a 1', 'PUT b 2', 'PUT c 3');
    expect((await run('STATS')).find((l) => l.includes('write amp'))).toMatch(/write amp +– \(only \d+ B written\)/);
    await db.batch(Array.from({ length: 100 }, (_, i) => ({ type: 'put' as const, key: utf8(`big${i}`), value: new Uint8Array(1024) })));
    expect((await run('STATS')).find((l) => l.includes('write amp'))).toMatch(/write amp +\d+\.\d\d×/);
  });

  it('echoes a long command by its start and length', () => {
    expect(echoText('GET a')).toBe('GET a');
    const long = `PUT k ${'x'.repeat(70_000)}`;
    const echo = echoText(long);
    expect(echo.length).toBeLessThan(ECHO_CHARS + 40);
    expect(echo.startsWith('PUT k xxx')).toBe(true);
    expect(echo.endsWith('… (70,006 characters)')).toBe(true);
  });

  it('runs every example HELP shows, as it is', async () => {
    const examples = helpExamples();
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const command of COMMAND_NAMES) {
      if (helpLines(command).some((l) => l.includes('example:'))) expect(examples.some((e) => e.command === command)).toBe(true);
    }
    await runAll('PUT user:1 alice', 'PUT user:2 bob', 'PUT usera x', 'PUT "user;" y');
    for (const { line } of examples) {
      const out = await run(line);
      expect(out.some((l) => l.startsWith('error')), `${line}: ${out.join(' | ')}`).toBe(false);
      expect(helpLines(examples.find((e) => e.line === line)!.command)).toContain(`  example: ${line}`);
    }
    // The SCAN example reads exactly the keys that start with user: (DEL's example removed user:1)
    await runAll('PUT user:1 alice');
    const scan = await run('SCAN user: "user;" LIMIT 10');
    expect(scan.filter((l) => l.startsWith('value')).map((l) => l.split(' ')[2])).toEqual(['user:1', 'user:2']);
  });
});
