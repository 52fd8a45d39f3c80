// The built dashboard (web/dist) in headless Chromium, served as a static
// site under a sub-path on 127.0.0.1: console commands, a workload until a
// compaction shows in the history, data still there after a reload, the
// databases tab (create, export, import, destroy), metrics and logs, a
// narrow window, no console errors. Screenshots of every panel go to
// STRATA_SCREENSHOTS (default: build/dashboard-screenshots at the repo root).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from '../scripts/serve.mjs';

const webRoot = fileURLToPath(new URL('../', import.meta.url));
const dist = join(webRoot, 'dist');
const shots = process.env.STRATA_SCREENSHOTS ?? join(webRoot, '../build/dashboard-screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server;
let profile;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'build the site first: npm run build');
  server = await serveStatic({ root: dist, base: '/tools/strata/dashboard/' });
  profile = mkdtempSync(join(tmpdir(), 'strata-dashboard-e2e-'));
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A browser on the shared profile (IndexedDB outlives each launch); page errors are collected. */
async function withDashboard(fn, viewport = { width: 1280, height: 800 }) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
  });
  const errors = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    await page.goto(server.url);
    await waitOpen(page); // the database of the last visit, or demo
    await fn(page);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await context.close();
  }
}

/** Waits until `name` (or, without one, any database) is open and its stats are in. */
async function waitOpen(page, name) {
  await page.waitForFunction(
    (n) => {
      const shown = document.getElementById('current-database')?.textContent ?? '';
      return n === null ? shown !== '' && shown !== 'no database' : shown === n;
    },
    name ?? null,
    { timeout: 60_000 },
  );
  await page.waitForFunction(() => (document.getElementById('last-sequence')?.textContent ?? '') !== '', null, { timeout: 30_000 });
}

async function tab(page, id) {
  await page.click(`#tab-${id}`);
  await page.waitForSelector(`#tool-${id}:not([hidden])`);
}

/** Types a console command and returns the text of the lines it printed. */
async function run(page, command) {
  const before = await page.locator('#console-output .console-line').count();
  await page.fill('#console-input', command);
  await page.press('#console-input', 'Enter');
  // The command echo plus at least one answer line, and the input free again.
  await page.waitForFunction((n) => document.querySelectorAll('#console-output .console-line').length >= n + 2, before, { timeout: 30_000 });
  await page.waitForFunction(() => !document.getElementById('console-input').disabled);
  return (await page.locator('#console-output .console-line').allTextContents()).slice(before).join('\n');
}

async function shoot(page, name, selector) {
  const path = join(shots, `${name}.png`);
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
  return path;
}

test('console commands, a workload until a compaction, data kept across a reload', { timeout: 240_000 }, async () => {
  await withDashboard(async (page) => {
    await waitOpen(page, 'demo'); // a first visit opens the demo database
    await tab(page, 'console');
    assert.match(await run(page, 'PUT greeting "hello world"'), /OK/);
    assert.match(await run(page, 'GET greeting'), /hello world/);
    assert.match(await run(page, 'BATCH PUT a 1; PUT b 2; DEL a'), /OK/);
    const scan = await run(page, 'SCAN - + LIMIT 10');
    assert.match(scan, /b/);
    assert.match(scan, /greeting/);
    assert.doesNotMatch(scan, /\ba => /);
    assert.match(await run(page, 'GET a'), /nil/);
    assert.match(await run(page, 'PUT onlykey'), /PUT/, 'a bad command says how to write it');
    assert.match(await run(page, 'FROB x'), /HELP|unknown/i);
    assert.match(await run(page, 'FLUSH'), /OK/);
    assert.match(await run(page, 'STATS'), /L0/);
    await shoot(page, 'console', '.tools');

    // Random writes of 1 KiB values into a 1 MiB memtable: flushes, then a compaction.
    await tab(page, 'workload');
    await page.selectOption('#workload-kind', 'random');
    await page.fill('#workload-rate', '4000');
    await page.fill('#workload-keys', '20000');
    await page.click('#workload-start');
    await page.waitForSelector('.compaction-row[data-kind="compaction"]', { timeout: 150_000 });
    // The engine's events carry a job's levels and tables: its row shows them at once.
    const cells = await page.locator('.compaction-row[data-kind="compaction"]').first().locator('td').allTextContents();
    assert.match(cells[2], /^L\d → L\d$/);
    assert.match(cells[7], /^\d+ (→ (\d+|–)|moved)$/);
    await shoot(page, 'workload', '.tools');
    await page.click('#workload-stop');
    await page.waitForTimeout(1500); // a few more stats polls while the load settles

    for (const panel of ['memtable', 'health', 'levels', 'compaction', 'charts']) await shoot(page, panel, `#panel-${panel}`);
    await page.screenshot({ path: join(shots, 'dashboard-1280x800.png') }); // what the window shows
    await shoot(page, 'dashboard-full-page');
    const tables = await page.locator('#panel-levels [data-table]').count();
    assert.ok(tables > 0, 'the levels view draws the tables');
    await page.hover('#panel-levels [data-table]');
    await shoot(page, 'levels-table-details', '#panel-levels');

    for (const id of ['keys', 'bench', 'databases', 'logs', 'metrics']) {
      await tab(page, id);
      await page.waitForTimeout(300);
      await shoot(page, id, '.tools');
    }
  });

  // Reload (a new browser on the same profile): the data is still there.
  await withDashboard(async (page) => {
    await waitOpen(page, 'demo');
    await tab(page, 'console');
    assert.match(await run(page, 'GET greeting'), /hello world/);
    assert.match(await run(page, 'GET b'), /"?2"?/);
    await tab(page, 'keys');
    await page.click('#keys-go');
    await page.waitForSelector('#keys-table .key-row');
    assert.ok((await page.locator('#keys-table .key-row').count()) > 10);
  });
});

test('databases: create, export, import into another, destroy', { timeout: 180_000 }, async () => {
  await withDashboard(async (page) => {
    await tab(page, 'databases');
    await page.fill('#db-new-name', 'e2e-source');
    await page.click('#db-create');
    await waitOpen(page, 'e2e-source');
    await tab(page, 'console');
    assert.match(await run(page, 'BATCH PUT k1 v1; PUT k2 v2; PUT "\\x00bin" "\\xff"'), /OK/);

    await tab(page, 'databases');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#databases-table tr[data-database="e2e-source"] [data-action="export"]'),
    ]);
    const file = join(profile, 'export.jsonl');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(JSON.parse(lines[0]).format, 'stratadb-export');
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), { end: true, entries: 3 });

    await page.setInputFiles('#db-import-file', file);
    await page.fill('#db-import-name', 'e2e-copy');
    await page.click('#db-import');
    await page.waitForFunction(() => /imported 3 entries/.test(document.getElementById('databases-status')?.textContent ?? ''), null, { timeout: 60_000 });
    await waitOpen(page, 'e2e-copy');
    await tab(page, 'console');
    assert.match(await run(page, 'SCAN - +'), /k1[\s\S]*k2/);
    assert.match(await run(page, 'GET "\\x00bin"'), /\\xff/);

    await tab(page, 'databases');
    const row = page.locator('#databases-table tr[data-database="e2e-source"]');
    await row.locator('[data-action="destroy"]').click();
    await row.locator('input').fill('e2e-source');
    await row.locator('button.danger').click();
    await page.waitForFunction(() => /e2e-source is destroyed/.test(document.getElementById('databases-status')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('#databases-table tr[data-database="e2e-source"]'));
    await shoot(page, 'databases-after-destroy', '.tools');
  });
});

test('metrics and logs tabs show the engine’s own numbers and events', { timeout: 120_000 }, async () => {
  await withDashboard(async (page) => {
    await tab(page, 'console');
    await run(page, 'PUT m 1');
    await run(page, 'FLUSH');
    await tab(page, 'metrics');
    await page.waitForFunction(() => /strata_puts_total \d+/.test(document.getElementById('metrics-text')?.textContent ?? ''), null, { timeout: 30_000 });
    await tab(page, 'logs');
    await page.selectOption('#logs-level', 'debug');
    await page.waitForFunction(() => /"event":"durable"/.test(document.getElementById('logs-lines')?.textContent ?? ''), null, { timeout: 30_000 });
    // The flush, with the reason the engine gave.
    const flushed = () => [...document.querySelectorAll('#logs-lines .log-line')].some((l) => /"event":"flush\.finished".*"reason":"manual"/.test(l.textContent ?? ''));
    await page.waitForFunction(flushed, null, { timeout: 30_000 });
    for (const line of await page.locator('#logs-lines .log-line').allTextContents()) JSON.parse(line);
  });
});

test('the benchmark runs both sides in the browser and shows their ratios', { timeout: 180_000 }, async () => {
  await withDashboard(async (page) => {
    await tab(page, 'bench');
    await page.fill('#bench-awaited', '20');
    await page.fill('#bench-bulk', '500');
    await page.click('#bench-start');
    await page.waitForSelector('#bench-progress[data-state="done"]', { timeout: 150_000 });
    const ratios = await page.locator('#bench-results .bench-ratio-value').allTextContents();
    assert.equal(ratios.length, 4);
    for (const ratio of ratios) assert.match(ratio, /^\d+\.\d\d×$/);
    await shoot(page, 'bench-results', '.tools');
  });
});

test('a second tab gets the database read-only and says why', { timeout: 120_000 }, async () => {
  await withDashboard(async (page) => {
    const second = await page.context().newPage();
    const errors = [];
    second.on('pageerror', (e) => errors.push(e.message));
    await second.goto(server.url);
    await waitOpen(second);
    await second.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'read-only', null, { timeout: 30_000 });
    const why = await second.locator('#panel-health').innerText();
    assert.match(why, /read-only/i);
    await tab(second, 'console');
    assert.match(await run(second, 'PUT k v'), /ReadOnly/);
    await shoot(second, 'second-tab-read-only', '#panel-health');
    await second.close();
    assert.deepEqual(errors, []);
  });
});

test('a narrow window: one column, nothing wider than the window', { timeout: 120_000 }, async () => {
  await withDashboard(
    async (page) => {
      await page.waitForTimeout(1000);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
      await shoot(page, 'dashboard-narrow-420');
    },
    { width: 420, height: 900 },
  );
});
