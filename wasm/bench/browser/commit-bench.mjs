// Runs commit-bench.html in headless Chromium and prints its table:
//   node wasm/bench/browser/commit-bench.mjs [--n=500] [--rounds=5]
import { numberFlags, runPage } from './run-page.mjs';

const flags = numberFlags({ n: 500, rounds: 5 });
const { version, results } = await runPage('commit-bench', flags);
console.log(`Chromium ${version}: median of ${flags.rounds} rounds, ops/s unless said`);
for (const r of results) {
  if (r.micros) {
    const { before, transaction, after } = r.micros;
    console.log(`${r.name} (${r.detail}): before the transaction ${before}, the transaction ${transaction}, after it ${after}`);
  } else {
    console.log(`${String(r.opsPerSec).padStart(9)}  ${r.name} (${r.detail})`);
  }
}
