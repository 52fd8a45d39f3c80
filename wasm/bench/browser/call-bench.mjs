// Runs call-bench.html in headless Chromium and prints what one in-thread
// call costs, per kind of call (microseconds, median of the rounds).
//   node wasm/bench/browser/call-bench.mjs [--rounds=7]
import { numberFlags, runPage } from './run-page.mjs';

const flags = numberFlags({ rounds: 7 });
const { version, results } = await runPage('call-bench', flags);
console.log(`Chromium ${version}: median of ${flags.rounds} rounds, microseconds per call`);
for (const { name, micros } of results) console.log(`${micros.toFixed(2).padStart(9)}  ${name}`);
