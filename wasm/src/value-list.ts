// Values of a getMany (or the presence of a hasMany's keys), as
// WasmDatabase::GetMany writes them (wasm/binding/database.h):
//   u32 count | u32 flags |
//   count x (u32 value bytes, 0xffffffff when absent; u32 value UTF-16 units) |
//   the values' bytes
// As in a cursor chunk (entry-chunk.ts), when every value is well-formed
// UTF-8 they are decoded with one TextDecoder call and the string cut by the
// units given, instead of one call per value.
import { type Decoded, type Encoding, utf8Decoder } from './bytes.js';
import { VALUES_UTF8, decodeOne, readU32, u32View } from './entry-chunk.js';

const ABSENT = 0xffffffff;

/** The flag to ask a value list for: the check and units only for values read as strings. */
export function valueListUtf8Wanted(encoding: Encoding): number {
  return encoding === 'utf8' ? VALUES_UTF8 : 0;
}

/**
 * The values of the list at src[at..], undefined where absent. With the
 * binary encoding they are views into src, which must then be the list's
 * own copy.
 */
export function decodeValueList<E extends Encoding>(src: Uint8Array, at: number, encoding: E): (Decoded<E> | undefined)[] {
  const count = readU32(src, at);
  const flags = readU32(src, at + 4);
  const sizes = u32View(src, at + 8, 2 * count);
  let value = at + 8 + 8 * count;
  let text: string | undefined;
  if (encoding === 'utf8' && flags & VALUES_UTF8) {
    let bytes = 0;
    for (let i = 0; i < 2 * count; i += 2) if (sizes[i] !== ABSENT) bytes += sizes[i]!;
    text = utf8Decoder.decode(src.subarray(value, value + bytes));
  }
  const out: (Decoded<E> | undefined)[] = new Array(count);
  let unit = 0;
  for (let i = 0; i < count; i++) {
    const size = sizes[2 * i]!;
    if (size === ABSENT) {
      out[i] = undefined;
    } else if (text !== undefined) {
      const units = sizes[2 * i + 1]!;
      out[i] = text.slice(unit, unit + units) as Decoded<E>;
      unit += units;
    } else {
      out[i] = decodeOne(src, value, size, encoding) as Decoded<E>;
      value += size;
    }
  }
  return out;
}

/** Whether each key of the list at src[at..] has a value. */
export function presenceInValueList(src: Uint8Array, at: number): boolean[] {
  const count = readU32(src, at);
  const sizes = u32View(src, at + 8, 2 * count);
  const out: boolean[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = sizes[2 * i] !== ABSENT;
  return out;
}
