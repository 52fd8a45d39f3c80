// Runs range-delete-bench.html in headless Chromium and prints its table
// (what each kind of commit costs; see the page's header):
//   node wasm/bench/browser/range-delete-bench.mjs [--rounds=60] [--files=33] [--durability=strict|default|relaxed]
import { numberFlags, runPage } from './run-page.mjs';

// The one flag that is not a number; the rest go to numberFlags.
const durabilityFlag = process.argv.find((arg) => arg.startsWith('--durability='));
const durability = durabilityFlag?.slice('--durability='.length) ?? 'strict';
if (!['strict', 'default', 'relaxed'].includes(durability)) throw new Error(`--durability: strict, default or relaxed, not ${durability}`);
process.argv = process.argv.filter((arg) => arg !== durabilityFlag);
const flags = numberFlags({ rounds: 60, files: 33 });
const { version, results } = await runPage('range-delete-bench', { ...flags, durability });
console.log(`Chromium ${version}: median commit time of ${flags.rounds} rounds, ${durability} durability`);
const label = {
  single: `put one file, delete ${flags.files} one by one`,
  range: `put one file, delete ${flags.files} as one key range`,
  putOnly: 'put one file',
  putOnlyPlain: 'put one file, in a store without the timestamp index',
  small: "put one 137-byte file (a durable put's commit)",
  smallPlain: 'put one 137-byte file, in a store without the timestamp index',
};
for (const r of results) console.log(`${r.medianMs.toFixed(2).padStart(8)} ms  ${label[r.mode]}`);
