// Where a key falls between two keys, by its bytes: the level view's axis
// (model/key-rank.ts) places keys this way inside each interval between
// table boundaries. Keys are byte strings ordered bytewise. A key's
// position in [0, 1] reads its bytes as a fraction, one digit per byte, after dropping the prefix that the smallest
// and largest key share (read from the first byte, `user:000001 ..
// user:999999` would all land on the same pixel); the fractions are then
// stretched so the smallest key is at 0 and the largest at 1.
//
// Each byte position is a digit whose range is the bytes the given keys
// (the two ends, and any samples) hold there, widened to their class (0-9,
// a-z, A-Z), plus a lowest digit for "the key ended here". With every byte
// seen that is plain base 256; decimal keys get base 10. Pure base 256 puts
// `key:000009999` and `key:000010000` 1/256 apart while all of
// `key:000000000 .. key:000009999` share 9/65536, so keys 0..19999 would
// crowd both ends of the track with one table spanning the empty middle;
// with the seen ranges, decimal keys spread linearly.

/** The product of digit ranges is kept under 2^52, so positions stay exact in a double. */
const MAX_SPAN = 2 ** 52;
const MAX_DIGITS = 16;

export interface KeySpace {
  /** Smallest and largest key over every table (undefined: no tables). */
  readonly smallest: Uint8Array | undefined;
  readonly largest: Uint8Array | undefined;
  /** The bytes every key in the range starts with. */
  readonly prefix: Uint8Array;
  /** 0 at the smallest key, 1 at the largest; keys outside are clamped. Never decreases as keys grow. */
  position(key: Uint8Array): number;
}

/** Bytewise order, as the engine sorts keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

interface Digit {
  /** The lowest byte of the range, and whether some sample ends here (a digit below every byte). */
  low: number;
  end: boolean;
  /** Digits at this position: the byte range, plus one for the end. */
  radix: number;
}

/** Digits, letters and capitals count as their whole class, so a few samples give the range keys will use. */
function classOf(b: number): [number, number] {
  if (b >= 0x30 && b <= 0x39) return [0x30, 0x39];
  if (b >= 0x61 && b <= 0x7a) return [0x61, 0x7a];
  if (b >= 0x41 && b <= 0x5a) return [0x41, 0x5a];
  return [b, b];
}

/** The digits after `skip` bytes: at each position, the range of bytes the samples hold there. */
function digitsOf(samples: readonly Uint8Array[], skip: number): Digit[] {
  const digits: Digit[] = [];
  let span = 1;
  for (let i = skip; digits.length < MAX_DIGITS; i++) {
    let low = 256;
    let high = -1;
    let end = false;
    for (const key of samples) {
      const b = key[i];
      if (b === undefined) {
        end = true;
        continue;
      }
      const [from, to] = classOf(b);
      low = Math.min(low, from);
      high = Math.max(high, to);
    }
    if (high < 0) break; // every sample ended
    const radix = high - low + 1 + (end ? 1 : 0);
    if (span * radix > MAX_SPAN) break;
    span *= radix;
    digits.push({ low, end, radix });
  }
  return digits;
}

/**
 * `key` after `skip` bytes as a fraction in [0, 1]. A key that ends reads
 * as the lowest digit followed by nothing; a byte below its digit's range
 * too, one above as the highest followed by everything: order is kept for
 * any key, sampled or not.
 */
function fraction(key: Uint8Array, skip: number, digits: readonly Digit[]): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < digits.length; i++) {
    const { low, end, radix } = digits[i]!;
    const b = key[skip + i];
    if (b === undefined || b < low) return value;
    const digit = b - low + (end ? 1 : 0);
    if (digit >= radix) return value + scale;
    scale /= radix;
    value += digit * scale;
  }
  return value;
}

/**
 * The key space from `smallest` to `largest` (smallest <= largest), with
 * digit ranges from `samples` (and the two ends). With no keys every
 * position is 0; with one key (smallest = largest) too.
 */
export function keySpace(smallest?: Uint8Array, largest?: Uint8Array, samples: readonly Uint8Array[] = []): KeySpace {
  if (!smallest || !largest) {
    return { smallest: undefined, largest: undefined, prefix: new Uint8Array(0), position: () => 0 };
  }
  const skip = commonPrefixLength(smallest, largest);
  const digits = digitsOf([smallest, largest, ...samples], skip);
  const low = fraction(smallest, skip, digits);
  const high = fraction(largest, skip, digits);
  const span = high - low;
  return {
    smallest,
    largest,
    prefix: smallest.slice(0, skip),
    position(key) {
      if (compareBytes(key, smallest) <= 0) return 0;
      if (compareBytes(key, largest) >= 0) return 1;
      // Between the two, so it starts with their common prefix (and the two
      // differ, so span > 0: this only guards the division).
      if (span <= 0) return 0.5;
      return Math.min(1, Math.max(0, (fraction(key, skip, digits) - low) / span));
    },
  };
}
