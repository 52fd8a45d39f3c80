// Runs range-delete-bench.html in headless Chromium and prints its table:
//   node wasm/bench/browser/range-delete-bench.mjs [--rounds=60] [--files=33]
import { numberFlags, runPage } from './run-page.mjs';

const flags = numberFlags({ rounds: 60, files: 33 });
const { version, results } = await runPage('range-delete-bench', flags);
console.log(`Chromium ${version}: median commit time of ${flags.rounds} rounds, strict durability`);
const label = {
  single: `put one file, delete ${flags.files} one by one`,
  range: `put one file, delete ${flags.files} as one key range`,
  putOnly: 'put one file',
};
for (const r of results) console.log(`${r.medianMs.toFixed(2).padStart(8)} ms  ${label[r.mode]}`);
