// Entries of a cursor chunk, as WasmDatabase::CursorNext writes them
// (wasm/binding/database.h):
//   u32 count | u32 flags |
//   count x (u32 key bytes, u32 value bytes, u32 key UTF-16 units, u32 value UTF-16 units) |
//   the keys' bytes | the values' bytes
// When every key (value) of the chunk is well-formed UTF-8, all of them are
// decoded with one TextDecoder call and the string is cut by the units given:
// one decode per chunk instead of one per entry, which is most of a scan's
// cost in the browser. Otherwise each is decoded on its own (malformed bytes
// become U+FFFD, as in get()). Only what is read as strings is checked and
// counted (utf8Wanted): a flag not asked for stays clear.
import { type Decoded, type Encoding, utf8Decoder } from './bytes.js';
import type { Entry } from './iterator.js';

const KEYS_UTF8 = 1;
export const VALUES_UTF8 = 2;
const AT_END = 4;

/** The flags to ask a chunk for: those of the sides read as strings. */
export function utf8Wanted(keyEncoding: Encoding, valueEncoding: Encoding): number {
  return (keyEncoding === 'utf8' ? KEYS_UTF8 : 0) | (valueEncoding === 'utf8' ? VALUES_UTF8 : 0);
}

/** The chunk's entry count, and whether its cursor has no more (until a seek). */
export function chunkHeader(src: Uint8Array, at: number): { count: number; atEnd: boolean } {
  return { count: readU32(src, at), atEnd: (readU32(src, at + 4) & AT_END) !== 0 };
}

/**
 * Appends the entries of the chunk at src[at..] to out. With a binary
 * encoding, results are views into src, which must then be the chunk's own
 * copy.
 */
export function decodeChunk<K extends Encoding, V extends Encoding>(
  src: Uint8Array,
  at: number,
  keyEncoding: K,
  valueEncoding: V,
  out: Entry<Decoded<K>, Decoded<V>>[],
): void {
  const count = readU32(src, at);
  const flags = readU32(src, at + 4);
  const sizes = u32View(src, at + 8, 4 * count);
  let keyBytes = 0;
  let valueBytes = 0;
  for (let i = 0; i < 4 * count; i += 4) {
    keyBytes += sizes[i]!;
    valueBytes += sizes[i + 1]!;
  }
  let key = at + 8 + 16 * count;
  let value = key + keyBytes;
  const keyText = keyEncoding === 'utf8' && flags & KEYS_UTF8 ? utf8Decoder.decode(src.subarray(key, value)) : undefined;
  const valueText =
    valueEncoding === 'utf8' && flags & VALUES_UTF8 ? utf8Decoder.decode(src.subarray(value, value + valueBytes)) : undefined;
  let keyUnit = 0;
  let valueUnit = 0;
  for (let i = 0; i < 4 * count; i += 4) {
    const keySize = sizes[i]!;
    const valueSize = sizes[i + 1]!;
    let k: string | Uint8Array;
    let v: string | Uint8Array;
    if (keyText !== undefined) {
      k = keyText.slice(keyUnit, keyUnit + sizes[i + 2]!);
      keyUnit += sizes[i + 2]!;
    } else {
      k = decodeOne(src, key, keySize, keyEncoding);
    }
    if (valueText !== undefined) {
      v = valueText.slice(valueUnit, valueUnit + sizes[i + 3]!);
      valueUnit += sizes[i + 3]!;
    } else {
      v = decodeOne(src, value, valueSize, valueEncoding);
    }
    key += keySize;
    value += valueSize;
    out.push({ key: k, value: v } as Entry<Decoded<K>, Decoded<V>>);
  }
}

export function decodeOne(src: Uint8Array, at: number, size: number, encoding: Encoding): string | Uint8Array {
  // A view made directly costs about half of subarray() in V8.
  const view = new Uint8Array(src.buffer, src.byteOffset + at, size);
  return encoding === 'binary' ? view : utf8Decoder.decode(view);
}

/** n u32s at src[at..], without a copy when they are aligned (they are, in a chunk's own copy). */
export function u32View(src: Uint8Array, at: number, n: number): Uint32Array {
  const offset = src.byteOffset + at;
  if (offset % 4 === 0) return new Uint32Array(src.buffer, offset, n);
  return new Uint32Array(src.slice(at, at + 4 * n).buffer);
}

export function readU32(src: Uint8Array, at: number): number {
  return (src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24)) >>> 0;
}
