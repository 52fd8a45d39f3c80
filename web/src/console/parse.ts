// The console's commands: a typed Command from a line, or a one-line error
// "<what is wrong>: <how to write it>". Everything is checked here (sizes,
// bounds, limits), so the engine only sees well-formed requests.
import { MAX_BATCH_BYTES, MAX_KEY_BYTES, MAX_VALUE_BYTES } from 'stratadb';
import { quoteBytes } from '../app/bytes-text.js';
import { compareBytes } from '../model/key-space.js';
import { InputError, tokenize, type Token, type Word } from './tokenize.js';

export const SCAN_DEFAULT_LIMIT = 100;
export const SCAN_MAX_LIMIT = 10_000;
export const BATCH_MAX_OPS = 10_000;
// What the engine counts per batch operation besides key and value (wasm/src/database.ts).
const BATCH_OP_OVERHEAD = 9;

export type CommandName = 'PUT' | 'GET' | 'DEL' | 'SCAN' | 'BATCH' | 'FLUSH' | 'COMPACT' | 'STATS' | 'INFO' | 'HELP' | 'CLEAR';

export type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'delete'; key: Uint8Array };

/** A bound of undefined is open: - for a start, + for an end. */
export type Command =
  | { name: 'PUT'; key: Uint8Array; value: Uint8Array }
  | { name: 'GET'; key: Uint8Array }
  | { name: 'DEL'; key: Uint8Array }
  /** start <= key < end */
  | { name: 'SCAN'; start: Uint8Array | undefined; end: Uint8Array | undefined; limit: number; reverse: boolean }
  | { name: 'BATCH'; ops: BatchOp[] }
  | { name: 'FLUSH' }
  /** start <= key <= end; both open: everything */
  | { name: 'COMPACT'; start: Uint8Array | undefined; end: Uint8Array | undefined }
  | { name: 'STATS' }
  | { name: 'INFO' }
  | { name: 'HELP'; topic: CommandName | undefined }
  | { name: 'CLEAR' };

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

interface Spec {
  usage: string;
  summary: string;
  details?: readonly string[];
  /** Lines that run as they are (the tests run every one); HELP shows them. */
  examples?: readonly string[];
  /** args: the words after the name; more: further ;-separated segments (only BATCH takes them). */
  parse(args: Word[], more: Word[][]): Command;
}

/** Where a word is checked: the usage to show, and a prefix naming a BATCH operation. */
interface Context {
  usage: string;
  prefix: string;
}

function fail(context: Context, problem: string): never {
  throw new InputError(`${context.prefix}${problem}: ${context.usage}`);
}

const SPECS: Record<CommandName, Spec> = {
  PUT: {
    usage: 'PUT key value',
    summary: 'Sets key to value.',
    examples: ['PUT user:1 alice', 'PUT "two words" "\\x00\\xff"'],
    parse: (args) => {
      const [key, value] = exactly('PUT', args, 2, 'a key and a value', plain('PUT'));
      return { name: 'PUT', key: keyBytes(key, plain('PUT')), value: valueBytes(value, plain('PUT')) };
    },
  },
  GET: {
    usage: 'GET key',
    summary: 'Prints the value of key, or (nil).',
    examples: ['GET user:1'],
    parse: (args) => ({ name: 'GET', key: keyBytes(exactly('GET', args, 1, 'a key', plain('GET'))[0], plain('GET')) }),
  },
  DEL: {
    usage: 'DEL key',
    summary: 'Deletes key (OK whether or not it had a value).',
    examples: ['DEL user:1'],
    parse: (args) => ({ name: 'DEL', key: keyBytes(exactly('DEL', args, 1, 'a key', plain('DEL'))[0], plain('DEL')) }),
  },
  SCAN: {
    usage: 'SCAN start end [LIMIT n] [REV]',
    summary: 'Lists entries with start <= key < end, in key order.',
    details: [
      'The end is exclusive. A bare - as start reads from the first key, a bare + as end to the last; quote them ("-") for the keys - and +.',
      `LIMIT n: 1 to ${SCAN_MAX_LIMIT} entries, ${SCAN_DEFAULT_LIMIT} by default. REV: the same range, last key first.`,
      'When the limit is hit, the last line gives the SCAN that reads the next page.',
      'For every key starting with user: end before "user;" (; is the byte after :).',
    ],
    examples: ['SCAN user: "user;" LIMIT 10', 'SCAN - + REV', 'SCAN - + LIMIT 5'],
    parse: parseScan,
  },
  BATCH: {
    usage: 'BATCH PUT key value; DEL key; ...',
    summary: 'Applies PUT and DEL operations atomically, in order: all or none.',
    details: [`Operations are separated by ; (at most ${BATCH_MAX_OPS}).`],
    examples: ['BATCH PUT a 1; PUT b 2; DEL c'],
    parse: parseBatch,
  },
  FLUSH: {
    usage: 'FLUSH',
    summary: 'Writes the memtable to a new L0 table.',
    parse: (args) => none('FLUSH', args),
  },
  COMPACT: {
    usage: 'COMPACT [start end]',
    summary: 'Compacts the whole database, or the tables holding start..end.',
    details: ['Both bounds are inclusive; a bare - and + are open ends. Drops overwritten versions and tombstones.'],
    examples: ['COMPACT', 'COMPACT a z'],
    parse: parseCompact,
  },
  STATS: {
    usage: 'STATS',
    summary: 'Memtable, levels, compactions, write amplification, cache and bloom rates.',
    parse: (args) => none('STATS', args),
  },
  INFO: {
    usage: 'INFO',
    summary: 'Name, read-only state, last sequence, thresholds and commits.',
    parse: (args) => none('INFO', args),
  },
  HELP: {
    usage: 'HELP [command]',
    summary: 'Lists the commands, or shows one in detail.',
    parse: parseHelp,
  },
  CLEAR: {
    usage: 'CLEAR',
    summary: 'Clears the output (also Ctrl+L).',
    parse: (args) => none('CLEAR', args),
  },
};

export const COMMAND_NAMES = Object.keys(SPECS) as CommandName[];

const plain = (name: CommandName): Context => ({ usage: SPECS[name].usage, prefix: '' });

const isCommandName = (s: string): s is CommandName => Object.hasOwn(SPECS, s);

/** Parses one console line. */
export function parseLine(line: string): ParseResult {
  try {
    return { ok: true, command: parseTokens(tokenize(line)) };
  } catch (e) {
    if (e instanceof InputError) return { ok: false, error: e.message };
    throw e;
  }
}

function parseTokens(tokens: Token[]): Command {
  const [first, ...segments] = splitSegments(tokens);
  const [nameWord, ...args] = first ?? [];
  if (!nameWord) {
    throw new InputError(tokens.length ? 'a command must come before the first ;: BATCH PUT a 1; DEL b' : 'type a command: HELP lists them');
  }
  const name = commandName(nameWord);
  if (segments.length > 0 && name !== 'BATCH') {
    fail({ usage: SPECS.BATCH.usage, prefix: '' }, `; separates operations only after BATCH, not after ${name}`);
  }
  return SPECS[name].parse(args, segments);
}

/** The words between separators: `a b; c` is [[a, b], [c]]. */
function splitSegments(tokens: Token[]): Word[][] {
  const segments: Word[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'separator') segments.push([]);
    else segments[segments.length - 1]!.push(token);
  }
  return segments;
}

function commandName(word: Word): CommandName {
  const name = word.text.toUpperCase();
  if (isCommandName(name)) return name;
  const guess = suggest(name);
  const shown = quotePreview(word.bytes, 40);
  if (guess) fail(plain(guess), `unknown command ${shown} (did you mean ${guess}?)`);
  throw new InputError(`unknown command ${shown}: HELP lists the commands`);
}

// Other stores' words for our commands.
const ALIASES: Readonly<Record<string, CommandName>> = {
  SET: 'PUT',
  DELETE: 'DEL',
  REMOVE: 'DEL',
  KEYS: 'SCAN',
  RANGE: 'SCAN',
  MSET: 'BATCH',
  MULTI: 'BATCH',
  CLS: 'CLEAR',
};

/** A command the user probably meant: an alias, or one typo away. */
function suggest(name: string): CommandName | undefined {
  if (Object.hasOwn(ALIASES, name)) return ALIASES[name];
  return COMMAND_NAMES.find((candidate) => editDistance(name, candidate) <= 1);
}

/** Edits (insert, delete, substitute, swap two neighbours) from a to b. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const previous = d[i - 1]!;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

// ---- arguments

/** `args` when there are exactly `count` of them; `needs` names them for the error ("a key and a value"). */
function exactly(what: string, args: Word[], count: number, needs: string, context: Context): Word[] {
  if (args.length < count) fail(context, `${what} needs ${needs}`);
  if (args.length > count) {
    fail(context, `${what} takes only ${needs}, got ${args.length} words (put quotes around text with spaces)`);
  }
  return args;
}

function none(name: 'FLUSH' | 'STATS' | 'INFO' | 'CLEAR', args: Word[]): Command {
  if (args.length > 0) fail(plain(name), `${name} takes no arguments`);
  return { name };
}

function keyBytes(word: Word | undefined, context: Context, what = 'key'): Uint8Array {
  if (!word) return fail(context, `a ${what} is missing`);
  if (!word.quoted && (word.text === '-' || word.text === '+')) {
    fail(context, `a bare ${word.text} is an open bound (SCAN, COMPACT); write "${word.text}" for the key ${word.text}`);
  }
  if (word.bytes.length > MAX_KEY_BYTES) {
    fail(context, `the ${what} is ${word.bytes.length} bytes, over the ${MAX_KEY_BYTES}-byte limit`);
  }
  return word.bytes;
}

function valueBytes(word: Word | undefined, context: Context): Uint8Array {
  if (!word) return fail(context, 'the value is missing');
  if (word.bytes.length > MAX_VALUE_BYTES) {
    fail(context, `the value is ${word.bytes.length} bytes, over the ${MAX_VALUE_BYTES}-byte limit`);
  }
  return word.bytes;
}

/** A SCAN or COMPACT bound: a bare - (start) or + (end) is open. */
function bound(word: Word, side: 'start' | 'end', context: Context): Uint8Array | undefined {
  const open = side === 'start' ? '-' : '+';
  const other = side === 'start' ? '+' : '-';
  if (!word.quoted && word.text === open) return undefined;
  if (!word.quoted && word.text === other) {
    fail(context, `a bare ${other} is an open ${side === 'start' ? 'end' : 'start'}; an open ${side} is ${open}`);
  }
  return keyBytes(word, context, side);
}

/** Rejects a start after the end, and (end exclusive) an empty range. */
function checkOrder(start: Uint8Array | undefined, end: Uint8Array | undefined, endInclusive: boolean, context: Context): void {
  if (!start || !end) return;
  const order = compareBytes(start, end);
  if (order > 0) {
    const rev = endInclusive ? '' : ' (REV walks the same range backwards)';
    fail(context, `the start ${quotePreview(start, 40)} comes after the end ${quotePreview(end, 40)}${rev}`);
  }
  if (order === 0 && !endInclusive) {
    fail(context, `the start and the end are both ${quotePreview(start, 40)} and the end is exclusive, so nothing is in range (GET reads one key)`);
  }
}

// ---- the commands with options

const isBareKeyword = (word: Word, ...keywords: string[]): boolean =>
  !word.quoted && keywords.includes(word.text.toUpperCase());

function parseScan(args: Word[]): Command {
  const context = plain('SCAN');
  const [startWord, endWord, ...options] = args;
  if (!startWord || !endWord || isBareKeyword(startWord, 'LIMIT', 'REV') || isBareKeyword(endWord, 'LIMIT', 'REV')) {
    fail(context, 'SCAN needs a start and an end before its options (- and + for open ends)');
  }
  const start = bound(startWord, 'start', context);
  const end = bound(endWord, 'end', context);
  checkOrder(start, end, false, context);
  let limit: number | undefined;
  let reverse = false;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!;
    const keyword = option.text.toUpperCase();
    if (keyword === 'LIMIT') {
      if (limit !== undefined) fail(context, 'LIMIT is given twice');
      limit = parseLimit(options[++i], context);
    } else if (keyword === 'REV') {
      if (reverse) fail(context, 'REV is given twice');
      reverse = true;
    } else if (/^\d+$/.test(option.text)) {
      fail(context, `${option.text} after the bounds is not an option; for at most ${option.text} entries write LIMIT ${option.text}`);
    } else {
      fail(context, `unknown SCAN option ${quotePreview(option.bytes, 40)}; after start and end come LIMIT n and REV`);
    }
  }
  return { name: 'SCAN', start, end, limit: limit ?? SCAN_DEFAULT_LIMIT, reverse };
}

function parseLimit(word: Word | undefined, context: Context): number {
  const range = `a whole number from 1 to ${SCAN_MAX_LIMIT}`;
  if (!word) return fail(context, `LIMIT needs ${range}`);
  const n = /^\d{1,6}$/.test(word.text) ? Number(word.text) : NaN;
  if (!(n >= 1 && n <= SCAN_MAX_LIMIT)) fail(context, `LIMIT must be ${range}, got ${quotePreview(word.bytes, 40)}`);
  return n;
}

function parseCompact(args: Word[]): Command {
  const context = plain('COMPACT');
  if (args.length === 0) return { name: 'COMPACT', start: undefined, end: undefined };
  const [startWord, endWord] = args;
  if (args.length !== 2 || !startWord || !endWord) {
    fail(context, `COMPACT takes no arguments (everything) or a start and an end, got ${args.length} word${args.length === 1 ? '' : 's'}`);
  }
  const start = bound(startWord, 'start', context);
  const end = bound(endWord, 'end', context);
  checkOrder(start, end, true, context);
  return { name: 'COMPACT', start, end };
}

function parseBatch(args: Word[], more: Word[][]): Command {
  const context = plain('BATCH');
  const segments = [args, ...more];
  // A trailing ; is harmless: BATCH PUT a 1;
  if (segments.length > 1 && segments[segments.length - 1]!.length === 0) segments.pop();
  if (segments.length === 1 && args.length === 0) fail(context, 'BATCH needs at least one operation');
  if (segments.length > BATCH_MAX_OPS) fail(context, `BATCH takes at most ${BATCH_MAX_OPS} operations, got ${segments.length}`);
  const ops = segments.map((words, i) => parseBatchOp(words, { usage: context.usage, prefix: `operation ${i + 1}: ` }));
  const bytes = ops.reduce((sum, op) => sum + BATCH_OP_OVERHEAD + op.key.length + (op.type === 'put' ? op.value.length : 0), 0);
  if (bytes > MAX_BATCH_BYTES) fail(context, `the batch is ${bytes} bytes, over the ${MAX_BATCH_BYTES}-byte limit`);
  return { name: 'BATCH', ops };
}

function parseBatchOp(words: Word[], context: Context): BatchOp {
  const [opWord, ...args] = words;
  if (!opWord) return fail(context, 'the operation is empty (two ; in a row?)');
  const op = opWord.text.toUpperCase();
  if (op === 'PUT') {
    const [key, value] = exactly('PUT', args, 2, 'a key and a value', context);
    return { type: 'put', key: keyBytes(key, context), value: valueBytes(value, context) };
  }
  if (op === 'DEL') return { type: 'delete', key: keyBytes(exactly('DEL', args, 1, 'a key', context)[0], context) };
  return fail(context, `${quotePreview(opWord.bytes, 40)} is not PUT or DEL`);
}

function parseHelp(args: Word[]): Command {
  const context = plain('HELP');
  if (args.length > 1) fail(context, `HELP takes at most one command name, got ${args.length} words`);
  const [topicWord] = args;
  if (!topicWord) return { name: 'HELP', topic: undefined };
  const topic = topicWord.text.toUpperCase();
  if (!isCommandName(topic)) fail(context, `there is no command ${quotePreview(topicWord.bytes, 40)}; HELP alone lists them`);
  return { name: 'HELP', topic };
}

// ---- text for the user

/** The quoted form (see quoteBytes) of the first `max` bytes, marked when cut. */
export function quotePreview(bytes: Uint8Array, max: number): string {
  if (bytes.length <= max) return quoteBytes(bytes);
  return `${quoteBytes(bytes.subarray(0, max))}… (${bytes.length} bytes)`;
}

/** The SCAN command for these arguments, as parseLine() reads it back. */
export function scanCommandText(scan: Extract<Command, { name: 'SCAN' }>): string {
  const start = scan.start ? quoteBytes(scan.start) : '-';
  const end = scan.end ? quoteBytes(scan.end) : '+';
  const limit = scan.limit === SCAN_DEFAULT_LIMIT ? '' : ` LIMIT ${scan.limit}`;
  return `SCAN ${start} ${end}${limit}${scan.reverse ? ' REV' : ''}`;
}

/** HELP's text: every command in one line each, or one command in detail. */
export function helpLines(topic?: CommandName): string[] {
  if (topic) {
    const spec = SPECS[topic];
    const examples = (spec.examples ?? []).map((line) => `  example: ${line}`);
    return [spec.usage, `  ${spec.summary}`, ...(spec.details ?? []).map((line) => `  ${line}`), ...examples];
  }
  // Aligned on SCAN's usage; BATCH's longer one just runs past the column.
  const width = SPECS.SCAN.usage.length;
  return [
    ...COMMAND_NAMES.map((name) => `${SPECS[name].usage.padEnd(width)}  ${SPECS[name].summary}`),
    'Words: bare text is UTF-8; "..." allows spaces and the escapes \\xHH \\n \\t \\r \\" \\\\; \'...\' is literal.',
    'Names in any case. HELP SCAN (or any command) for details. Enter runs, Up/Down walk history, Ctrl+L clears.',
  ];
}

/** Every example HELP shows, each a line that runs as it is. */
export function helpExamples(): { command: CommandName; line: string }[] {
  return COMMAND_NAMES.flatMap((name) => (SPECS[name].examples ?? []).map((line) => ({ command: name, line })));
}

/** "usage — summary" of the command the line starts with, for the hint row. */
export function commandHint(line: string): string | undefined {
  const name = /^\s*(\S+)/.exec(line)?.[1]?.toUpperCase();
  if (name === undefined || !isCommandName(name)) return undefined;
  return `${SPECS[name].usage} — ${SPECS[name].summary}`;
}
