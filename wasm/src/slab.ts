// Copies of bytes out of wasm memory, carved from shared ArrayBuffers
// ("slabs") as Node's Buffer pool does. A new ArrayBuffer costs V8 far more
// than copying a small value into one that exists (and the collector pays
// again later): with a buffer per binary value and per chunk, reads in
// wasm/bench/bench.mjs ran 10 - 30% slower (README, "Speed against
// native"). The price: a view keeps its whole slab alive, a structured
// clone of a view (postMessage, an IndexedDB put) copies the whole slab, and
// transferring one view's buffer detaches the others (copy with slice()
// first). A detached slab is simply replaced.

/** Copies up to maxPooled bytes each into slabs of slabBytes; larger ones get a buffer of their own. */
export class SlabCopier {
  private slab = new ArrayBuffer(0);
  private used = 0;

  constructor(
    private readonly slabBytes: number,
    private readonly maxPooled: number,
  ) {}

  /** A copy of heap[ptr, ptr + size), starting 8-byte aligned (readers view u32s in place). */
  copy(heap: Uint8Array, ptr: number, size: number): Uint8Array {
    if (size > this.maxPooled || size === 0) return heap.slice(ptr, ptr + size);
    // A detached slab has byteLength 0, so it is replaced here too.
    if (this.used + size > this.slab.byteLength) {
      this.slab = new ArrayBuffer(this.slabBytes);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, size);
    out.set(heap.subarray(ptr, ptr + size));
    this.used += (size + 7) & ~7;
    return out;
  }
}

/**
 * A database handle's copiers: its results never share a buffer with
 * another handle's (a value posted or stored elsewhere carries its whole
 * buffer with it).
 */
export class ResultCopies {
  // get()'s binary values: Node's sizes, so a kept small value holds at
  // most 8 KiB alive.
  readonly values = new SlabCopier(8 << 10, 4 << 10);
  // Binary iterator chunks and getMany lists: a kept entry held its whole
  // chunk (at most ~64 KiB) before; one from a small chunk (a short scan,
  // the first chunks after a seek) now holds a 64 KiB slab instead. A
  // chunk over 16 KiB has a buffer of its own, whose cost its entries share.
  readonly chunks = new SlabCopier(64 << 10, 16 << 10);
}
