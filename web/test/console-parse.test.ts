import { MAX_KEY_BYTES } from 'stratadb';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../src/app/bytes-text.js';
import {
  BATCH_MAX_OPS,
  COMMAND_NAMES,
  type Command,
  SCAN_DEFAULT_LIMIT,
  commandHint,
  helpLines,
  parseLine,
  quotePreview,
  scanCommandText,
} from '../src/console/parse.js';

const b = (s: string) => utf8(s);

function parsed(line: string): Command {
  const result = parseLine(line);
  if (!result.ok) throw new Error(`expected ${line} to parse, got: ${result.error}`);
  return result.command;
}

function refused(line: string): string {
  const result = parseLine(line);
  if (result.ok) throw new Error(`expected ${line} to be refused, got ${JSON.stringify(result.command)}`);
  return result.error;
}

describe('parseLine accepts', () => {
  it.each<[string, Command]>([
    ['PUT k v', { name: 'PUT', key: b('k'), value: b('v') }],
    ['put k v', { name: 'PUT', key: b('k'), value: b('v') }],
    ['Put "a key" "a value"', { name: 'PUT', key: b('a key'), value: b('a value') }],
    ['PUT k ""', { name: 'PUT', key: b('k'), value: b('') }],
    ['PUT "" v', { name: 'PUT', key: b(''), value: b('v') }], // the empty key is a key
    ['DEL ""', { name: 'DEL', key: b('') }],
    ['PUT k -', { name: 'PUT', key: b('k'), value: b('-') }],
    ['PUT "-" v', { name: 'PUT', key: b('-'), value: b('v') }],
    ['PUT "\\x00\\xff" "\\n"', { name: 'PUT', key: Uint8Array.from([0, 255]), value: b('\n') }],
    ['GET k', { name: 'GET', key: b('k') }],
    ['get "+"', { name: 'GET', key: b('+') }],
    ['DEL k', { name: 'DEL', key: b('k') }],
    ['SCAN a z', { name: 'SCAN', start: b('a'), end: b('z'), limit: SCAN_DEFAULT_LIMIT, reverse: false }],
    ['SCAN - +', { name: 'SCAN', start: undefined, end: undefined, limit: SCAN_DEFAULT_LIMIT, reverse: false }],
    ['scan - + limit 5 rev', { name: 'SCAN', start: undefined, end: undefined, limit: 5, reverse: true }],
    ['SCAN a + REV LIMIT 10000', { name: 'SCAN', start: b('a'), end: undefined, limit: 10000, reverse: true }],
    ['SCAN "+" "-" LIMIT 1', { name: 'SCAN', start: b('+'), end: b('-'), limit: 1, reverse: false }],
    ['SCAN "LIMIT" z', { name: 'SCAN', start: b('LIMIT'), end: b('z'), limit: SCAN_DEFAULT_LIMIT, reverse: false }],
    ['BATCH PUT a 1', { name: 'BATCH', ops: [{ type: 'put', key: b('a'), value: b('1') }] }],
    [
      'batch PUT a 1; del b;put "c d" "3;4"',
      {
        name: 'BATCH',
        ops: [
          { type: 'put', key: b('a'), value: b('1') },
          { type: 'delete', key: b('b') },
          { type: 'put', key: b('c d'), value: b('3;4') },
        ],
      },
    ],
    ['BATCH DEL a;', { name: 'BATCH', ops: [{ type: 'delete', key: b('a') }] }],
    ['FLUSH', { name: 'FLUSH' }],
    ['COMPACT', { name: 'COMPACT', start: undefined, end: undefined }],
    ['COMPACT a z', { name: 'COMPACT', start: b('a'), end: b('z') }],
    ['COMPACT k k', { name: 'COMPACT', start: b('k'), end: b('k') }],
    ['compact - m', { name: 'COMPACT', start: undefined, end: b('m') }],
    ['STATS', { name: 'STATS' }],
    ['INFO', { name: 'INFO' }],
    ['HELP', { name: 'HELP', topic: undefined }],
    ['help scan', { name: 'HELP', topic: 'SCAN' }],
    ['CLEAR', { name: 'CLEAR' }],
    ['  GET   k  ', { name: 'GET', key: b('k') }],
  ])('%s', (line, command) => {
    expect(parsed(line)).toEqual(command);
  });

  it(`a BATCH of ${BATCH_MAX_OPS} operations`, () => {
    const line = `BATCH ${Array.from({ length: BATCH_MAX_OPS }, (_, i) => `PUT k${i} v`).join('; ')}`;
    const command = parsed(line);
    expect(command.name === 'BATCH' && command.ops.length).toBe(BATCH_MAX_OPS);
  });

  it(`a key of ${MAX_KEY_BYTES} bytes`, () => {
    const command = parsed(`GET ${'k'.repeat(MAX_KEY_BYTES)}`);
    expect(command.name === 'GET' && command.key.length).toBe(MAX_KEY_BYTES);
  });

  it('a pasted multi-megabyte value, text and escapes in order', () => {
    const text = 'é'.repeat(1 << 20);
    const command = parsed(`PUT k "${text}\\x00${text}\\n"`);
    if (command.name !== 'PUT') throw new Error('not a PUT');
    const half = utf8(text);
    expect(command.value.length).toBe(2 * half.length + 2);
    expect(command.value[half.length]).toBe(0);
    expect(command.value.at(-1)).toBe(10);
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(decode(command.value.subarray(0, half.length)) === text).toBe(true);
    expect(decode(command.value.subarray(half.length + 1, -1)) === text).toBe(true);
  });
});

describe('parseLine refuses, with what is wrong and how to write it', () => {
  it.each<[string, string]>([
    // the line
    ['', 'type a command: HELP lists them'],
    ['   ', 'type a command: HELP lists them'],
    ['; PUT a 1', 'a command must come before the first ;: BATCH PUT a 1; DEL b'],
    ['PUT k "v', 'unterminated " quote from column 7: end the word with "'],
    ['FOO', 'unknown command FOO: HELP lists the commands'],
    ['SET k v', 'unknown command SET (did you mean PUT?): PUT key value'],
    ['SCNA a b', 'unknown command SCNA (did you mean SCAN?): SCAN start end [LIMIT n] [REV]'],
    ['"\\x00"', 'unknown command "\\x00": HELP lists the commands'],
    ['PUT a 1; PUT b 2', '; separates operations only after BATCH, not after PUT: BATCH PUT key value; DEL key; ...'],
    // PUT
    ['PUT', 'PUT needs a key and a value: PUT key value'],
    ['PUT k', 'PUT needs a key and a value: PUT key value'],
    ['PUT k hello world', 'PUT takes only a key and a value, got 3 words (put quotes around text with spaces): PUT key value'],
    ['PUT - v', 'a bare - is an open bound (SCAN, COMPACT); write "-" for the key -: PUT key value'],
    // GET, DEL
    ['GET', 'GET needs a key: GET key'],
    ['GET a b', 'GET takes only a key, got 2 words (put quotes around text with spaces): GET key'],
    ['GET +', 'a bare + is an open bound (SCAN, COMPACT); write "+" for the key +: GET key'],
    ['DEL', 'DEL needs a key: DEL key'],
    // SCAN
    ['SCAN', 'SCAN needs a start and an end before its options (- and + for open ends): SCAN start end [LIMIT n] [REV]'],
    ['SCAN a', 'SCAN needs a start and an end before its options (- and + for open ends): SCAN start end [LIMIT n] [REV]'],
    ['SCAN a LIMIT 5', 'SCAN needs a start and an end before its options (- and + for open ends): SCAN start end [LIMIT n] [REV]'],
    ['SCAN + z', 'a bare + is an open end; an open start is -: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a -', 'a bare - is an open start; an open end is +: SCAN start end [LIMIT n] [REV]'],
    ['SCAN z a', 'the start z comes after the end a (REV walks the same range backwards): SCAN start end [LIMIT n] [REV]'],
    ['SCAN k k', 'the start and the end are both k and the end is exclusive, so nothing is in range (GET reads one key): SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT', 'LIMIT needs a whole number from 1 to 10000: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT 0', 'LIMIT must be a whole number from 1 to 10000, got 0: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT 10001', 'LIMIT must be a whole number from 1 to 10000, got 10001: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT -3', 'LIMIT must be a whole number from 1 to 10000, got -3: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT 2.5', 'LIMIT must be a whole number from 1 to 10000, got 2.5: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT ten', 'LIMIT must be a whole number from 1 to 10000, got ten: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z LIMIT 5 LIMIT 6', 'LIMIT is given twice: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z REV REV', 'REV is given twice: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z 10', '10 after the bounds is not an option; for at most 10 entries write LIMIT 10: SCAN start end [LIMIT n] [REV]'],
    ['SCAN a z DESC', 'unknown SCAN option DESC; after start and end come LIMIT n and REV: SCAN start end [LIMIT n] [REV]'],
    // BATCH
    ['BATCH', 'BATCH needs at least one operation: BATCH PUT key value; DEL key; ...'],
    ['BATCH;', 'BATCH needs at least one operation: BATCH PUT key value; DEL key; ...'],
    ['BATCH ;;', 'operation 1: the operation is empty (two ; in a row?): BATCH PUT key value; DEL key; ...'],
    ['BATCH PUT a 1;; DEL b', 'operation 2: the operation is empty (two ; in a row?): BATCH PUT key value; DEL key; ...'],
    ['BATCH PUT a 1; GET b', 'operation 2: GET is not PUT or DEL: BATCH PUT key value; DEL key; ...'],
    ['BATCH PUT a', 'operation 1: PUT needs a key and a value: BATCH PUT key value; DEL key; ...'],
    ['BATCH DEL a b', 'operation 1: DEL takes only a key, got 2 words (put quotes around text with spaces): BATCH PUT key value; DEL key; ...'],
    ['BATCH DEL -', 'operation 1: a bare - is an open bound (SCAN, COMPACT); write "-" for the key -: BATCH PUT key value; DEL key; ...'],
    // no-argument commands
    ['FLUSH now', 'FLUSH takes no arguments: FLUSH'],
    ['STATS x', 'STATS takes no arguments: STATS'],
    ['INFO x', 'INFO takes no arguments: INFO'],
    ['CLEAR x', 'CLEAR takes no arguments: CLEAR'],
    // COMPACT
    ['COMPACT a', 'COMPACT takes no arguments (everything) or a start and an end, got 1 word: COMPACT [start end]'],
    ['COMPACT a b c', 'COMPACT takes no arguments (everything) or a start and an end, got 3 words: COMPACT [start end]'],
    ['COMPACT z a', 'the start z comes after the end a: COMPACT [start end]'],
    ['COMPACT + a', 'a bare + is an open end; an open start is -: COMPACT [start end]'],
    // HELP
    ['HELP PUT GET', 'HELP takes at most one command name, got 2 words: HELP [command]'],
    ['HELP FOO', 'there is no command FOO; HELP alone lists them: HELP [command]'],
  ])('%j', (line, error) => {
    expect(refused(line)).toBe(error);
  });

  it('a key over the size limit', () => {
    expect(refused(`DEL ${'k'.repeat(MAX_KEY_BYTES + 1)}`)).toBe(
      `the key is ${MAX_KEY_BYTES + 1} bytes, over the ${MAX_KEY_BYTES}-byte limit: DEL key`,
    );
  });

  it('a BATCH over the operation limit', () => {
    const line = `BATCH ${Array.from({ length: BATCH_MAX_OPS + 1 }, () => 'DEL k').join(';')}`;
    expect(refused(line)).toBe(`BATCH takes at most ${BATCH_MAX_OPS} operations, got ${BATCH_MAX_OPS + 1}: BATCH PUT key value; DEL key; ...`);
  });

  it('shows a long word cut, with its size', () => {
    expect(refused(`${'x'.repeat(100)}`)).toBe(`unknown command ${'x'.repeat(40)}… (100 bytes): HELP lists the commands`);
  });

  it('every error is one line', () => {
    for (const line of ['PUT', 'SCAN z a', 'BATCH PUT a', 'PUT k "a\nb']) expect(refused(line)).not.toContain('\n');
  });
});

describe('scanCommandText', () => {
  it.each([
    'SCAN - +',
    'SCAN a z LIMIT 10',
    'SCAN "two words" + REV',
    'SCAN "\\x00\\xff" "-" LIMIT 5 REV',
    'SCAN "\\"q\\"" "+"',
  ])('reads back %s', (line) => {
    const command = parsed(line);
    if (command.name !== 'SCAN') throw new Error('not a SCAN');
    expect(scanCommandText(command)).toBe(line);
    expect(parsed(scanCommandText(command))).toEqual(command);
  });
});

describe('help', () => {
  it('lists every command with its usage', () => {
    const lines = helpLines();
    for (const name of COMMAND_NAMES) expect(lines.some((line) => line.startsWith(name))).toBe(true);
    expect(lines.join('\n')).toContain('SCAN start end [LIMIT n] [REV]');
  });

  it('says the SCAN end is exclusive and how to write open ends', () => {
    const text = helpLines('SCAN').join('\n');
    expect(text).toContain('The end is exclusive');
    expect(text).toContain('A bare - as start');
  });

  it('hints the usage of the command being typed', () => {
    expect(commandHint('scan a')).toMatch(/^SCAN start end \[LIMIT n\] \[REV\] — /);
    expect(commandHint('  put')).toMatch(/^PUT key value — /);
    expect(commandHint('nope')).toBeUndefined();
    expect(commandHint('')).toBeUndefined();
  });
});

describe('helpers', () => {
  it('quotePreview cuts long bytes and says how long they were', () => {
    expect(quotePreview(b('short'), 10)).toBe('short');
    expect(quotePreview(b('0123456789abc'), 10)).toBe('0123456789… (13 bytes)');
  });
});
