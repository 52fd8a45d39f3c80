// The Level benchmark in headless Chromium: stratadb/level (in-thread and
// in the host worker) beside browser-level on the page's IndexedDB, and
// beside memory-level in memory, through the same abstract-level calls
// (workload.js). Prints medians of alternating rounds and StrataDB's ratio
// to its counterpart (higher is better).
//
//   node wasm/bench/level/browser.mjs [--rounds=3] [--keys=50000] [--gets=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePage } from '../browser/bundle.mjs';
import { numberFlags } from '../browser/run-page.mjs';
import { serve } from '../browser/serve.mjs';
import { launch } from '../../test-browser/browsers.mjs';
import { table } from './workload.js';

const flags = numberFlags({ rounds: 3, keys: 50_000, gets: 20_000 });
const outDir = mkdtempSync(join(tmpdir(), 'strata-level-bench-'));
let server;
let browser;
try {
  await bundlePage('bench/level/page', outDir);
  server = await serve(outDir);
  browser = await launch('chromium', { profile: mkdtempSync(join(outDir, 'profile-')) });
  const page = await browser.newPage();
  await page.goto(`${server.url}/index.html?${new URLSearchParams(flags)}`);
  await page.waitForFunction(() => window.benchResults !== undefined, null, { timeout: 3_600_000 });
  const results = await page.evaluate(() => window.benchResults);
  if (results.error) throw new Error(results.error);
  console.log(
    `Chromium ${browser.version}: median of ${flags.rounds} rounds, ${flags.keys.toLocaleString('en')} keys in batches of 100, ${flags.gets.toLocaleString('en')} gets`,
  );
  const base = 'browser-level, IndexedDB';
  console.log(
    table(results, {
      'stratadb/level, IndexedDB': base,
      'stratadb/level in the host worker, IndexedDB': base,
      'stratadb/level, memory': 'memory-level',
    }),
  );
} finally {
  await browser?.close();
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
}
