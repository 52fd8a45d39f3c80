// Keys and values are byte strings (DESIGN.md decision 6): the API takes a
// string (encoded as UTF-8) or a Uint8Array, and gives results back in the
// encoding asked for.
import { invalidArgument } from './errors.js';
import { LIMITS } from './limits.generated.js';
import type { SlabCopier } from './slab.js';

export type Bytes = string | Uint8Array;
export type Encoding = 'utf8' | 'binary';
/** What a result looks like in an encoding. */
export type Decoded<E extends Encoding> = E extends 'binary' ? Uint8Array : string;

// The engine's limits (engine/include/strata/options.h), as the module reports them.
export const MAX_KEY_BYTES: number = LIMITS.maxKeyBytes;
export const MAX_VALUE_BYTES: number = LIMITS.maxValueBytes;
export const MAX_BATCH_BYTES: number = LIMITS.maxBatchBytes;

export const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the string, not a byte order mark.
export const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// String.prototype.isWellFormed (Node 20, Chromium 111): a lone surrogate
// cannot be encoded as UTF-8 and would silently become U+FFFD.
const isWellFormed = (s: string): boolean =>
  (s as string & { isWellFormed?: () => boolean }).isWellFormed?.() ?? true;

/** Bytes from the lowercase hex the binding's JSON carries keys in. */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/** Checks that x is a string or Uint8Array usable as `what`. */
export function checkBytes(x: unknown, what: string): asserts x is Bytes {
  if (typeof x === 'string') {
    if (!isWellFormed(x)) throw invalidArgument(`${what} is not well-formed UTF-16 (lone surrogate)`);
    return;
  }
  // Also a Uint8Array from another realm (an iframe, a vm context).
  if (x instanceof Uint8Array || Object.prototype.toString.call(x) === '[object Uint8Array]') return;
  throw invalidArgument(`${what} must be a string or Uint8Array, got ${describe(x)}`);
}

/** An upper bound of x's size in bytes (exact for Uint8Array). */
export function maxByteLength(x: Bytes): number {
  return typeof x === 'string' ? x.length * 3 : x.length;
}

/** x's exact size in bytes. */
export function byteLength(x: Bytes): number {
  if (typeof x !== 'string') return x.length;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair (well-formed input)
      i++;
    } else n += 3;
  }
  return n;
}

export function checkKey(key: unknown, what = 'key'): asserts key is Bytes {
  checkBytes(key, what); // the empty key is a key (sorted first)
  if (maxByteLength(key) > MAX_KEY_BYTES && byteLength(key) > MAX_KEY_BYTES) {
    throw invalidArgument(`${what} is ${byteLength(key)} bytes, over the ${MAX_KEY_BYTES}-byte limit`);
  }
}

export function checkValue(value: unknown): asserts value is Bytes {
  checkBytes(value, 'value');
  if (maxByteLength(value) > MAX_VALUE_BYTES && byteLength(value) > MAX_VALUE_BYTES) {
    throw invalidArgument(`value is ${byteLength(value)} bytes, over the ${MAX_VALUE_BYTES}-byte limit`);
  }
}

export function checkEncoding(x: unknown, what: string): asserts x is Encoding | undefined {
  if (x !== undefined && x !== 'utf8' && x !== 'binary') {
    throw invalidArgument(`${what} must be 'utf8' or 'binary', got ${describe(x)}`);
  }
}

// Up to this many bytes of ASCII, readText builds the string itself: in
// Chromium that costs less than a TextDecoder call on a thread that has
// idled, though more than one on a busy thread for text this long.
const SHORT_TEXT = 256;

/**
 * UTF-8 in wasm memory as a string. Short ASCII text (file paths, event
 * lines) is read a byte at a time: a TextDecoder call costs Chromium several
 * microseconds once the thread has idled, as it has before every commit.
 */
export function readText(heap: Uint8Array, ptr: number, size: number): string {
  if (size <= SHORT_TEXT) {
    let text = '';
    let i = ptr;
    for (; i < ptr + size && heap[i]! < 0x80; i++) text += String.fromCharCode(heap[i]!);
    if (i === ptr + size) return text;
  }
  return utf8Decoder.decode(heap.subarray(ptr, ptr + size));
}

/** Bytes in wasm memory as the encoding asks: a copy made by `copies` (slab.ts), or decoded text. */
export function decode<E extends Encoding>(heap: Uint8Array, ptr: number, size: number, encoding: E, copies: SlabCopier): Decoded<E> {
  if (encoding === 'binary') return copies.copy(heap, ptr, size) as Decoded<E>;
  return utf8Decoder.decode(heap.subarray(ptr, ptr + size)) as Decoded<E>;
}

/**
 * bytes in an ArrayBuffer of exactly their size, as a structured clone
 * (postMessage, an IndexedDB put) or a transfer takes a view's whole
 * buffer: the view itself when it spans its buffer, else a copy.
 */
export function inOwnBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** Bytes in wasm memory copied into the buffer that into(size) gives. */
export function copyInto(into: (size: number) => Uint8Array, bytes: { heap: Uint8Array; ptr: number; size: number }): Uint8Array {
  const out = into(bytes.size);
  out.set(bytes.heap.subarray(bytes.ptr, bytes.ptr + bytes.size));
  return out;
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}
