// The Level benchmark in Node: stratadb/level beside memory-level, both in
// memory, through the same abstract-level calls (workload.js). Prints
// medians of alternating rounds and StrataDB's ratio to memory-level
// (higher is better). browser-level is compared in a browser
// (browser.mjs): it needs a real IndexedDB.
//
//   node wasm/bench/level/node.mjs [--rounds=3] [--keys=50000] [--gets=20000]
import { MemoryLevel } from 'memory-level';
import { StrataLevel } from 'stratadb/level';
import { numberFlags } from '../browser/run-page.mjs';
import { compare, table } from './workload.js';

const flags = numberFlags({ rounds: 3, keys: 50_000, gets: 20_000 });
let n = 0;
const results = await compare(
  {
    'stratadb/level, memory': () => new StrataLevel(`bench-${n++}`, { storage: 'memory', keepOnClose: false }),
    'memory-level': () => new MemoryLevel(),
  },
  flags,
);
console.log(`Node ${process.version}: median of ${flags.rounds} rounds, ${flags.keys.toLocaleString('en')} keys in batches of 100, ${flags.gets.toLocaleString('en')} gets`);
console.log(table(results, { 'stratadb/level, memory': 'memory-level' }));
