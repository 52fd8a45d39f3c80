// Runs pause-bench.html in headless Chromium and prints both runs:
//   node wasm/bench/browser/pause-bench.mjs [--preload=200000] [--seconds=10]
import { numberFlags, runPage } from './run-page.mjs';

const flags = numberFlags({ preload: 200_000, seconds: 10 });
const { version, results } = await runPage('pause-bench', flags);
console.log(`Chromium ${version}: ${flags.preload} keys preloaded, then ${flags.seconds} s of awaited puts`);
console.table(results);
