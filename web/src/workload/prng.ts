// A small seeded PRNG (mulberry32): the same seed gives the same sequence
// of operations, so a workload (and a benchmark's read keys) can be
// replayed exactly. Not for anything secret.

/** Returns a function giving uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) from `random`. */
export function randomBelow(random: () => number, n: number): number {
  return Math.floor(random() * n);
}
