#!/usr/bin/env node
// Short scans in Node, in-thread: db.scan({ gte: a random key, limit })
// over a database of --keys string entries in memory storage (written in
// batches, never compacted: the memtable and a few L0 tables, as a page's
// database looks between compactions). What a scan costs besides its
// entries (making and closing its cursor, the seek) shows with --limit=1.
// Prints each round's time a scan and the best; every scan's count is checked.
//
//   node wasm/bench/scan-bench.mjs [--keys=100000] [--limit=100] [--scans=20000] [--rounds=6]
import { open } from '../dist/node.js';

const flag = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const KEYS = flag('keys', 100_000);
const LIMIT = flag('limit', 100);
const SCANS = flag('scans', 20_000);
const ROUNDS = flag('rounds', 6);
if (!(LIMIT >= 1 && KEYS > LIMIT)) throw new Error('give --keys greater than --limit, and --limit of 1 or more');

const key = (i) => `key${String(i).padStart(10, '0')}`;
const db = await open(`scan-bench-${process.pid}`, { storage: 'memory' });
for (let i = 0; i < KEYS; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(i + 1000, KEYS); j++) batch.push({ type: 'put', key: key(j), value: `${'v'.repeat(100)}${j}` });
  await db.batch(batch);
}

let seed = 1; // the same keys in every run
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
let best = Infinity;
for (let round = 0; round < ROUNDS; round++) {
  const start = performance.now();
  for (let s = 0; s < SCANS; s++) {
    const got = db.scan({ gte: key(random() % (KEYS - LIMIT)), limit: LIMIT });
    if (got.length !== LIMIT) throw new Error(`a scan read ${got.length} entries, not ${LIMIT}`);
  }
  const micros = ((performance.now() - start) * 1000) / SCANS;
  best = Math.min(best, micros);
  console.log(`round ${round + 1}: ${micros.toFixed(2)} us a scan of ${LIMIT}`);
}
const files = db.stats().levels.map((level) => level.files).join('/');
console.log(`best: ${best.toFixed(2)} us a scan of ${LIMIT} (${KEYS.toLocaleString('en')} keys; tables per level ${files})`);
await db.close();
