// Keys and values the workload generator writes.
//
// Key format: `key:` followed by the key's index zero-padded to 9 digits
// (`key:000000123`), so byte order (the engine's order) is numeric order
// and the key browser pages through them in sequence. Indexes run up to
// MAX_KEY_SPACE - 1, which fits in 9 digits.
//
// Value format: `v<op number>:` followed by filler from a fixed pool of
// lowercase letters, cut to the value size. Printable (readable in the key
// browser) and about as compressible as English text, so compression in the
// deeper levels has something to do.
import { mulberry32 } from './prng.js';

export const KEY_PREFIX = 'key:';
export const KEY_DIGITS = 9;
export const MAX_KEY_SPACE = 10_000_000;
export const MAX_VALUE_SIZE = 65_536;

export function formatKey(index: number): string {
  return KEY_PREFIX + String(index).padStart(KEY_DIGITS, '0');
}

/** Bytes of every key. */
export const KEY_LENGTH = KEY_PREFIX.length + KEY_DIGITS;

/** Writes formatKey(index) as bytes (ASCII) into `out` (KEY_LENGTH bytes), without a TextEncoder. */
export function writeKey(out: Uint8Array, index: number): void {
  for (let i = 0; i < KEY_PREFIX.length; i++) out[i] = KEY_PREFIX.charCodeAt(i);
  let n = index;
  for (let i = KEY_LENGTH - 1; i >= KEY_PREFIX.length; i--) {
    out[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
}


const POOL_SIZE = MAX_VALUE_SIZE + 4096;
let pool: Uint8Array | undefined;

function fillerPool(): Uint8Array {
  if (!pool) {
    const random = mulberry32(0x5eed);
    pool = new Uint8Array(POOL_SIZE);
    // Letters drawn from a skewed distribution (like text), not uniform.
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = 97 + Math.floor(26 * random() * random());
  }
  return pool;
}

/** Writes the value for operation number `seq` into `out` (its length is the value's size). */
export function writeValue(out: Uint8Array, seq: number): void {
  const filler = fillerPool();
  const size = out.length;
  const offset = (seq * 7919) % (POOL_SIZE - size + 1);
  out.set(filler.subarray(offset, offset + size));
  const prefix = `v${seq}:`;
  for (let i = 0; i < prefix.length && i < size; i++) out[i] = prefix.charCodeAt(i);
}

/** A value of exactly `size` bytes for operation number `seq`, in a buffer of its own. */
export function makeValue(size: number, seq: number): Uint8Array {
  const value = new Uint8Array(size);
  writeValue(value, seq);
  return value;
}
