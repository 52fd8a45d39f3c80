// Runs commit-bench.html in headless Chromium and prints its table:
//   node wasm/bench/browser/commit-bench.mjs [--n=500] [--rounds=5]
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { serve } from './serve.mjs';

const flag = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const n = flag('n', 500);
const rounds = flag('rounds', 5);
const root = fileURLToPath(new URL('../../', import.meta.url)); // wasm/
const server = await serve(root);
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/bench/browser/commit-bench.html?n=${n}&rounds=${rounds}`);
  await page.waitForFunction(() => window.benchResults !== undefined, null, { timeout: 600_000 });
  const results = await page.evaluate(() => window.benchResults);
  if (results.error) throw new Error(results.error);
  console.log(`Chromium ${browser.context.browser()?.version() ?? ''}: median of ${rounds} rounds, ops/s`);
  for (const r of results) console.log(`${String(r.opsPerSec).padStart(9)}  ${r.name} (${r.detail})`);
} finally {
  await browser.close();
  await server.close();
}
