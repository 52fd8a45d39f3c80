// Runs pause-bench.html in headless Chromium and prints both runs:
//   node wasm/bench/browser/pause-bench.mjs [--preload=200000] [--seconds=10]
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { serve } from './serve.mjs';

const flag = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const preload = flag('preload', 200_000);
const seconds = flag('seconds', 10);
const root = fileURLToPath(new URL('../../', import.meta.url)); // wasm/
const server = await serve(root);
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/bench/browser/pause-bench.html?preload=${preload}&seconds=${seconds}`);
  await page.waitForFunction(() => window.benchResults !== undefined, null, { timeout: 900_000 });
  const results = await page.evaluate(() => window.benchResults);
  if (results.error) throw new Error(results.error);
  console.log(`Chromium ${browser.context.browser()?.version() ?? ''}: ${preload} keys preloaded, then ${seconds} s of awaited puts`);
  console.table(results);
} finally {
  await browser.close();
  await server.close();
}
