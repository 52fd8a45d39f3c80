// Measures the built dashboard (web/dist) in headless Chromium: how the
// page's own thread fares while the Workload tab drives the engine, then,
// with --bench, the Benchmark tab at its defaults. Per run it prints:
//
//   long tasks       count, longest, and how many were over 50 ms (PerformanceObserver)
//   timer lag        p99 and max lateness of a 50 ms interval timer
//   achieved         operations done over the run / (target rate x its length)
//   layouts/s        the renderer's layout count per second (CDP Performance
//                    metrics), idle before the run and during it
//   page thread      the share of the run the page's thread spent in tasks
//                    (wall time) and on the CPU (its thread time): a long task
//                    whose thread time is small was the machine's other work
//   tab switch       time from clicking a tool tab to the frame after it (worst
//                    of a few, taken during the run)
//
// --busy keeps the machine's other core busy meanwhile (a `yes > /dev/null`
// child, ended afterwards), as a user's machine doing other work would.
//
//   node web/bench/responsiveness.mjs [--kind random] [--rate 5000] [--keys 100000]
//        [--seconds 20] [--durability default|durable|deferred] [--busy] [--bench]
import { openSync, closeSync, mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/serve.mjs';

const { values: args } = parseArgs({
  options: {
    kind: { type: 'string', default: 'random' },
    rate: { type: 'string', default: '5000' },
    keys: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '20' },
    durability: { type: 'string', default: 'default' },
    busy: { type: 'boolean', default: false },
    bench: { type: 'boolean', default: false },
  },
});
const seconds = Number(args.seconds);

/** A process that keeps one core busy, as `yes > /dev/null` does. */
function startBusy() {
  const devNull = openSync('/dev/null', 'w');
  const child = spawn('yes', [], { stdio: ['ignore', devNull, 'ignore'] });
  closeSync(devNull);
  return () => child.kill('SIGTERM');
}

const dist = fileURLToPath(new URL('../dist', import.meta.url));
const server = await serveStatic({ root: dist, base: '/dashboard/' });
const profile = mkdtempSync(join(tmpdir(), 'strata-dashboard-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
let stopBusy = () => {};
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const layouts = async () => (await metrics()).LayoutCount ?? 0;

  await page.goto(server.url);
  await page.waitForFunction(() => (document.getElementById('current-database')?.textContent ?? 'no database') !== 'no database', null, { timeout: 60_000 });
  await page.waitForFunction(() => (document.getElementById('last-sequence')?.textContent ?? '') !== '', null, { timeout: 60_000 });
  await page.click('#tab-workload');
  await page.selectOption('#workload-kind', args.kind);
  await page.fill('#workload-rate', args.rate);
  await page.fill('#workload-keys', args.keys);
  await page.selectOption('#workload-durability', args.durability);
  if (args.busy) stopBusy = startBusy();

  // Idle: the page with a database open and nothing running.
  const idleLayouts0 = await layouts();
  await page.waitForTimeout(5000);
  const idleLayoutsPerSec = ((await layouts()) - idleLayouts0) / 5;

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
  const run0 = await metrics();
  await page.click('#workload-start');
  // Tab switches during the run: from the click to the next frame after it.
  const switches = [];
  const tabs = ['logs', 'console', 'metrics', 'workload'];
  const started = Date.now();
  for (let i = 0; Date.now() - started < seconds * 1000; i++) {
    await page.waitForTimeout(Math.min(4000, Math.max(0, seconds * 1000 - (Date.now() - started))));
    if (Date.now() - started >= seconds * 1000 - 500) break;
    const id = tabs[i % tabs.length];
    switches.push(
      await page.evaluate(
        (tab) =>
          new Promise((resolve) => {
            const t0 = performance.now();
            document.getElementById(`tab-${tab}`).click();
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
          }),
        id,
      ),
    );
  }
  await page.click('#tab-workload');
  const status = await page.evaluate(() => {
    const el = document.getElementById('workload-status');
    return { ...el.dataset, text: el.innerText, why: document.getElementById('workload-why')?.textContent ?? '' };
  });
  const run1 = await metrics();
  const runSeconds = (Date.now() - started) / 1000;
  const runLayoutsPerSec = (run1.LayoutCount - run0.LayoutCount) / runSeconds;
  const taskShare = (run1.TaskDuration - run0.TaskDuration) / runSeconds;
  const cpuShare = (run1.ThreadTime - run0.ThreadTime) / runSeconds;
  await page.click('#workload-stop');
  stopBusy();
  stopBusy = () => {};
  const result = await page.evaluate(() => {
    const lags = window.lags.slice().sort((a, b) => a - b);
    const at = (p) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? 0;
    return {
      longTasks: window.longTasks.length,
      longTasksOver50ms: window.longTasks.filter((d) => d > 50).length,
      longestTaskMs: Math.round(Math.max(0, ...window.longTasks)),
      timerLagP99Ms: +at(0.99).toFixed(1),
      timerLagMaxMs: +at(1).toFixed(1),
      compactions: document.querySelectorAll('.compaction-row[data-kind="compaction"]').length,
    };
  });
  const done = Number(status.done);
  const achieved = done / ((Number(status.target) * Number(status.elapsedMs)) / 1000);
  const numbers = {
    ...result,
    achievedPercent: +(achieved * 100).toFixed(1),
    done,
    skipped: Number(status.skipped),
    layoutsPerSecIdle: +idleLayoutsPerSec.toFixed(1),
    layoutsPerSecRun: +runLayoutsPerSec.toFixed(1),
    pageThreadTaskPercent: +(taskShare * 100).toFixed(1),
    pageThreadCpuPercent: +(cpuShare * 100).toFixed(1),
    tabSwitchWorstMs: Math.round(Math.max(0, ...switches)),
  };
  const [load1] = loadavg();
  const mode = `${args.kind} at ${args.rate} ops/s for ${args.seconds} s, ${args.durability} durability, ${args.busy ? 'other core kept busy' : 'no load of its own'} (load average ${load1.toFixed(2)})`;
  console.log(`${mode}:\n  ${JSON.stringify(numbers)}`);
  console.log(`  why: ${status.why}`);
  const checks = [
    [`no long task over 50 ms`, result.longTasksOver50ms === 0],
    [`timer lag p99 under 50 ms`, result.timerLagP99Ms < 50],
    [`at least 95% of the target`, achieved >= 0.95],
  ];
  console.log(`  ${checks.map(([name, ok]) => `${ok ? 'ok' : 'MISSED'}: ${name}`).join(' · ')}`);
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
  stopBusy();
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
