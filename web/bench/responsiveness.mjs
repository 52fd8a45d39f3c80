// Measures the built dashboard (web/dist) in headless Chromium: how the
// page's own thread fares while the Workload tab drives the engine (long
// tasks from PerformanceObserver, and the lag of a 50 ms interval timer),
// then, with --bench, the Benchmark tab at its defaults.
//
//   node web/bench/responsiveness.mjs [--kind random] [--rate 4000] [--seconds 20] [--bench]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/serve.mjs';

const { values: args } = parseArgs({
  options: {
    kind: { type: 'string', default: 'random' },
    rate: { type: 'string', default: '4000' },
    keys: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '20' },
    bench: { type: 'boolean', default: false },
  },
});
const dist = fileURLToPath(new URL('../dist', import.meta.url));
const server = await serveStatic({ root: dist, base: '/dashboard/' });
const profile = mkdtempSync(join(tmpdir(), 'strata-dashboard-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(server.url);
  await page.waitForFunction(() => (document.getElementById('current-database')?.textContent ?? 'no database') !== 'no database', null, { timeout: 60_000 });
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: 'longtask' });
    window.lags = [];
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      window.lags.push(now - last - 50);
      last = now;
    }, 50);
  });
  await page.click('#tab-workload');
  await page.selectOption('#workload-kind', args.kind);
  await page.fill('#workload-rate', args.rate);
  await page.fill('#workload-keys', args.keys);
  await page.click('#workload-start');
  await page.waitForTimeout(Number(args.seconds) * 1000);
  const achieved = await page.locator('#workload-status').innerText();
  await page.click('#workload-stop');
  const result = await page.evaluate(() => {
    const lags = window.lags.slice().sort((a, b) => a - b);
    const at = (p) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? 0;
    return {
      longTasks: window.longTasks.length,
      longestTaskMs: Math.round(Math.max(0, ...window.longTasks)),
      timerLagP99Ms: +at(0.99).toFixed(1),
      timerLagMaxMs: +at(1).toFixed(1),
      compactions: document.querySelectorAll('.compaction-row[data-kind="compaction"]').length,
    };
  });
  console.log(`${args.kind} workload at ${args.rate} ops/s for ${args.seconds} s:`, JSON.stringify(result));
  console.log(`  workload status: ${achieved.replace(/\s+/g, ' ').slice(0, 160)}`);
  if (args.bench) {
    await page.click('#tab-bench');
    await page.click('#bench-start');
    await page.waitForSelector('#bench-progress[data-state="done"]', { timeout: 600_000 });
    for (const row of await page.locator('#bench-results tbody tr').all()) {
      console.log(`  ${(await row.innerText()).replace(/\s+/g, ' ')}`);
    }
  }
  console.log(`page errors: ${errors.length ? errors.join('; ') : 'none'}`);
} finally {
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
