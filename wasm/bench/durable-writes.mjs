#!/usr/bin/env node
// A stream of awaited durable puts (one writer, each put a durability
// point), as a web app saving a form field at a time would make: what they
// store to IndexedDB per put and how many WAL files stay, in Node over
// fake-indexeddb (an in-memory IndexedDB: the bytes are the browser's, the
// rate is not).
//
//   node wasm/bench/durable-writes.mjs [--puts=10000] [--value_size=100]
import 'fake-indexeddb/auto';
import { createRuntime } from '../dist/node.js';

const flags = { puts: 10000, value_size: 100 };
for (const arg of process.argv.slice(2)) {
  const m = /^--(puts|value_size)=([0-9]+)$/.exec(arg);
  if (!m) {
    console.error(`durable-writes.mjs: expected --puts=N or --value_size=N, got '${arg}'`);
    process.exit(2);
  }
  flags[m[1]] = Number(m[2]);
}

const runtime = await createRuntime({ indexedDB });
const db = await runtime.open('durable-writes');
const value = 'v'.repeat(flags.value_size);
let maxLiveSegments = 0;
let seconds = 0; // in put() alone: stats() is not cheap
for (let i = 0; i < flags.puts; i++) {
  const start = performance.now();
  await db.put(`key${String(i).padStart(12, '0')}`, value);
  seconds += (performance.now() - start) / 1000;
  maxLiveSegments = Math.max(maxLiveSegments, db.stats().walLiveSegments);
}
const { commits, flushes, walLiveSegments } = db.stats();
if (db.get(`key${String(flags.puts - 1).padStart(12, '0')}`) !== value) throw new Error('wrong result: last put');
await db.close();
console.log(`${flags.puts} awaited durable puts of ${flags.value_size}-byte values: ${Math.round(flags.puts / seconds)} puts/s (fake-indexeddb)`);
console.log(`  stored to IndexedDB: ${commits.bytesStored} bytes in ${commits.filesStored} files over ${commits.commits} commits, ${Math.round(commits.bytesStored / flags.puts)} bytes per put`);
console.log(`  WAL segments: ${walLiveSegments} live at the end, at most ${maxLiveSegments}; memtable flushes: ${flushes}`);
