// Buffers that go to the client and come back. A response's bytes (a
// scan's or an iterator's chunks, a getMany's value list) leave the database
// worker in transferred ArrayBuffers, and a fresh ArrayBuffer is dear in
// Chromium, most of all where touching fresh memory is (README, "Buffers
// that come back", "Fresh memory"). So the client sends a buffer it decoded
// into strings, which nothing refers to any more, back with its next
// requests (ClientMessage.returned), and the worker copies a later response
// into it.

/** The most a response pool (one per worker thread) keeps. */
export const POOL_BYTES = 4 << 20;
/** The most a client holds to send back: an idle handle keeps it until its next call. */
export const RETURN_BYTES = 1 << 20;
// New buffers are this many bytes at least and a multiple of it, with an
// eighth more than asked: room for a slightly bigger response next time.
const GRAIN = 16 << 10;

export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  private pooledBytes = 0;

  /** @param limit the most it keeps, in bytes. */
  constructor(private readonly limit = POOL_BYTES) {}

  /**
   * A view of size bytes at the start of the smallest pooled buffer big
   * enough, else of a new one.
   */
  take(size: number): Uint8Array {
    const kept = this.takeKept(size, Infinity);
    if (kept) return kept;
    const bytes = Math.ceil((size + size / 8) / GRAIN) * GRAIN || GRAIN;
    return new Uint8Array(new ArrayBuffer(bytes), 0, size);
  }

  /**
   * A view of size bytes at the start of the smallest pooled buffer big
   * enough and at most `slack` bytes bigger; undefined if none is.
   */
  takeKept(size: number, slack: number): Uint8Array | undefined {
    let best = -1;
    this.free.forEach((buffer, i) => {
      const fits = buffer.byteLength >= size && buffer.byteLength - size <= slack;
      if (fits && (best < 0 || buffer.byteLength < this.free[best]!.byteLength)) best = i;
    });
    if (best < 0) return undefined;
    const [buffer] = this.free.splice(best, 1);
    this.pooledBytes -= buffer!.byteLength;
    return new Uint8Array(buffer!, 0, size);
  }

  /**
   * Keeps what came back, up to its limit; anything but ArrayBuffers, and a
   * buffer already kept, is ignored (two answers must never share one).
   */
  give(buffers: unknown): void {
    if (!Array.isArray(buffers)) return;
    for (const buffer of buffers) {
      if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0 || this.free.includes(buffer)) continue;
      if (this.pooledBytes + buffer.byteLength > this.limit) continue;
      this.free.push(buffer);
      this.pooledBytes += buffer.byteLength;
    }
  }

  /** Bytes kept for reuse. */
  get bytes(): number {
    return this.pooledBytes;
  }

  /** Bytes it would still keep. */
  get room(): number {
    return this.limit - this.pooledBytes;
  }
}
