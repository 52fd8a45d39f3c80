#!/usr/bin/env node
// Full reads in Node, in-thread, of a database this handle wrote: --keys
// entries (16-byte keys in a shuffled order, 100-byte values, batches of
// 1000, memory storage, no compression) flushed and left to settle into
// levels, then read front to back --passes times. The first pass is the
// first read of every table's blocks (each copied out of the in-memory file
// system; the block cache holds 8 MiB), where a table the handle did not
// make checks each block against its checksum (README, "Speed against
// native"); the later passes read blocks already checked. Prints each
// pass's entries a second; every pass's count is checked.
//
//   node wasm/bench/first-read-bench.mjs [--keys=1000000] [--passes=3]
import { destroy, open } from '../dist/node.js';

const flag = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const KEYS = flag('keys', 1_000_000);
const PASSES = flag('passes', 3);
if (!(KEYS >= 1000 && PASSES >= 1)) throw new Error('give --keys of 1000 or more and --passes of 1 or more');

let seed = 301; // the same order in every run
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const order = Array.from({ length: KEYS }, (_, i) => i);
for (let i = KEYS - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [order[i], order[j]] = [order[j], order[i]];
}
const value = new Uint8Array(100).fill(0x61);

const name = `first-read-bench-${process.pid}`;
const db = await open(name, { storage: 'memory', valueEncoding: 'binary', compression: false });
for (let i = 0; i < KEYS; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(i + 1000, KEYS); j++) batch.push({ type: 'put', key: String(order[j]).padStart(16, '0'), value });
  await db.batch(batch, { durability: 'deferred' });
}
await db.flush();
await new Promise((resolve) => setTimeout(resolve, 2000)); // the compactions it started run meanwhile
const rates = [];
for (let pass = 0; pass < PASSES; pass++) {
  const start = performance.now();
  let n = 0;
  for (const _ of db.iterator()) n++;
  if (n !== KEYS) throw new Error(`a pass read ${n} entries, not ${KEYS}`);
  rates.push(Math.round(n / ((performance.now() - start) / 1000)).toLocaleString('en'));
}
const files = db.stats().levels.map((level) => level.files).join('/');
console.log(`passes over ${KEYS.toLocaleString('en')} entries: ${rates.join(', ')} entries/s (tables per level ${files})`);
await db.close();
await destroy(name, { storage: 'memory' });
