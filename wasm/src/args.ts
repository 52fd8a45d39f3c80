// Passing byte strings into the wasm module: they are written straight into
// the binding's scratch buffer in wasm memory (strings encoded in place), so
// a call copies each byte once and creates no JS objects.
import type { RawDatabase, StrataModule } from './strata.js';
import { type Bytes, maxByteLength, utf8Encoder } from './bytes.js';
import { engineError } from './errors.js';

// Strings up to this long are written a char at a time while they are
// ASCII: in Chromium a TextEncoder.encodeInto call (and the view it writes
// into) costs ~2 us whatever the length, a loop ~3 ns a char.
const ASCII_INLINE_MAX = 256;

export class ArgWriter {
  private ptr = 0;
  private capacity = 0;
  private offset = 0;

  constructor(
    private readonly module: StrataModule,
    private readonly raw: RawDatabase,
  ) {}

  /** Starts a call's arguments; `size` bounds their total bytes. */
  begin(size: number): void {
    if (size > this.capacity) {
      const ptr = this.raw.scratch(size);
      if (ptr === 0) throw engineError(this.raw.lastCode(), this.raw.lastError());
      this.ptr = ptr;
      this.capacity = size;
    }
    this.offset = 0;
  }

  /** Appends x; returns its size in bytes. */
  bytes(x: Bytes): number {
    const heap = this.module.HEAPU8; // refetched: memory growth replaces it
    const at = this.ptr + this.offset;
    let n: number;
    if (typeof x === 'string') {
      n = x.length <= ASCII_INLINE_MAX ? writeAscii(heap, at, x) : -1;
      if (n < 0) n = utf8Encoder.encodeInto(x, heap.subarray(at, at + maxByteLength(x))).written;
    } else {
      heap.set(x, at);
      n = x.length;
    }
    this.offset += n;
    return n;
  }

  /** Appends a byte. */
  u8(v: number): void {
    this.module.HEAPU8[this.ptr + this.offset] = v;
    this.offset += 1;
  }

  /** Reserves a little-endian uint32 to be filled in later; returns its offset. */
  reserveU32(): number {
    const at = this.offset;
    this.offset += 4;
    return at;
  }

  setU32(at: number, v: number): void {
    const heap = this.module.HEAPU8;
    const p = this.ptr + at;
    heap[p] = v & 0xff;
    heap[p + 1] = (v >>> 8) & 0xff;
    heap[p + 2] = (v >>> 16) & 0xff;
    heap[p + 3] = v >>> 24;
  }

  /** Bytes written since begin(). */
  get size(): number {
    return this.offset;
  }
}

/** Writes x at heap[at..] if it is all ASCII and returns its length; else -1 (some bytes may be written). */
function writeAscii(heap: Uint8Array, at: number, x: string): number {
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c >= 0x80) return -1;
    heap[at + i] = c;
  }
  return x.length;
}
