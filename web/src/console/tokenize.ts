// Splits a console line into words, the way redis-cli does, so that what
// quoteBytes() (app/bytes-text.ts) prints can be typed back:
//
//   bare words      PUT user:1 alice        UTF-8 of the text as typed
//   "double"        "two words\x00\n"       escapes \xHH \n \t \r \" \\
//   'single'        'C:\path'               literal; only \' is an escape
//   ;               PUT a 1; DEL b          separates BATCH operations
//
// A quote opens only at the start of a word and must be followed by a
// space, a `;` or the end of the line. Every other shape is an InputError
// naming the column, never a guess.
import { utf8 } from '../app/bytes-text.js';

export interface Word {
  type: 'word';
  /** The bytes the word stands for. */
  bytes: Uint8Array;
  /** Its text, for matching command names and numbers (lossy for non-UTF-8 bytes). */
  text: string;
  /** Whether it was written in quotes: a quoted "-" is a key, a bare - an open bound. */
  quoted: boolean;
  /** 1-based column where it starts. */
  column: number;
}

export interface Separator {
  type: 'separator';
  column: number;
}

export type Token = Word | Separator;

/** A line the console cannot read; the message is one line for the user. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

const lossyDecoder = new TextDecoder();

// A UTF-16 surrogate without its pair has no UTF-8 form.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const DOUBLE_QUOTE_ESCAPES: Readonly<Record<string, number>> = {
  n: 0x0a,
  t: 0x09,
  r: 0x0d,
  '"': 0x22,
  '\\': 0x5c,
};

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const endsWord = (c: string | undefined): boolean => c === undefined || c === ';' || isSpace(c);

/** The tokens of `line`; throws InputError when it cannot be read. */
export function tokenize(line: string): Token[] {
  const surrogate = LONE_SURROGATE.exec(line);
  if (surrogate) throw new InputError(`column ${surrogate.index + 1} holds half a character (a lone UTF-16 surrogate): retype it`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === ';') {
      tokens.push({ type: 'separator', column: i + 1 });
      i++;
    } else {
      const [word, end] = c === '"' || c === "'" ? readQuoted(line, i) : readBare(line, i);
      tokens.push(word);
      i = end;
    }
  }
  return tokens;
}

// The first character that ends a bare word, or a quote that may not be in one.
const BARE_STOP = /[\s;"']/g;

function readBare(line: string, start: number): [Word, number] {
  BARE_STOP.lastIndex = start;
  const stop = BARE_STOP.exec(line);
  const end = stop ? stop.index : line.length;
  const c = line[end];
  if (c === '"' || c === "'") {
    // Suggest the whole word in the other kind of quotes.
    let wordEnd = end;
    while (!endsWord(line[wordEnd])) wordEnd++;
    const other = c === '"' ? "'" : '"';
    const whole = line.slice(start, wordEnd);
    throw new InputError(`a ${c} inside a word at column ${end + 1}: quote the whole word, as ${other}${whole}${other}`);
  }
  const text = line.slice(start, end);
  return [{ type: 'word', bytes: utf8(text), text, quoted: false, column: start + 1 }, end];
}

/** Collects runs of literal text and escaped bytes, in order. */
class ByteBuilder {
  private readonly chunks: Uint8Array[] = [];
  private escaped: number[] = [];

  text(s: string): void {
    if (s.length === 0) return;
    this.flushEscaped();
    this.chunks.push(utf8(s));
  }

  byte(b: number): void {
    this.escaped.push(b);
  }

  finish(): Uint8Array {
    this.flushEscaped();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private flushEscaped(): void {
    if (this.escaped.length === 0) return;
    this.chunks.push(Uint8Array.from(this.escaped));
    this.escaped = [];
  }
}

function readQuoted(line: string, start: number): [Word, number] {
  const quote = line[start]!;
  const out = new ByteBuilder();
  let i = start + 1;
  for (;;) {
    // A backslash as the last character escapes nothing: still unterminated.
    if (i >= line.length || (line[i] === '\\' && i + 1 === line.length)) {
      throw new InputError(`unterminated ${quote} quote from column ${start + 1}: end the word with ${quote}`);
    }
    const c = line[i]!;
    if (c === quote) break;
    if (c !== '\\') {
      // A run of plain text at once: a pasted multi-megabyte value stays fast.
      let end = i + 1;
      while (end < line.length && line[end] !== quote && line[end] !== '\\') end++;
      out.text(line.slice(i, end));
      i = end;
    } else if (quote === "'") {
      // Single quotes are literal: only \' stands for something else.
      const escapedQuote = line[i + 1] === "'";
      out.text(escapedQuote ? "'" : '\\');
      i += escapedQuote ? 2 : 1;
    } else {
      i = readEscape(line, i, out);
    }
  }
  const end = i + 1;
  if (!endsWord(line[end])) {
    throw new InputError(`the closing ${quote} at column ${end} must be followed by a space: write "a" "b", not "a""b"`);
  }
  const bytes = out.finish();
  return [{ type: 'word', bytes, text: lossyDecoder.decode(bytes), quoted: true, column: start + 1 }, end];
}

/** Reads the escape at line[at] (a backslash) into `out`; returns where the next character is. */
function readEscape(line: string, at: number, out: ByteBuilder): number {
  const kind = line[at + 1];
  if (kind === 'x') {
    const hex = line.slice(at + 2, at + 4);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
      throw new InputError(`\\x at column ${at + 1} needs two hex digits, as \\x00 or \\xff`);
    }
    out.byte(parseInt(hex, 16));
    return at + 4;
  }
  const byte = kind === undefined ? undefined : DOUBLE_QUOTE_ESCAPES[kind];
  if (byte === undefined) {
    throw new InputError(
      `unknown escape \\${kind ?? ''} at column ${at + 1}: use \\xHH, \\n, \\t, \\r, \\" or \\\\ (for a backslash)`,
    );
  }
  out.byte(byte);
  return at + 2;
}
