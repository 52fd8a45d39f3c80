// The built dashboard (web/dist) in Chromium, Firefox and WebKit (each test
// once per engine, named "... [engine]"; the driver is the browser suite's,
// wasm/test-browser/browsers.mjs), served as a static site under a sub-path
// on 127.0.0.1: console commands, a workload until a compaction shows in the
// history, data still there after a reload, the databases tab (create,
// export, import, destroy), metrics and logs, a second tab as a viewer, a
// narrow window, no console error or uncaught error in any page or worker. Screenshots of every panel
// go to STRATA_SCREENSHOTS/<engine> (default: build/dashboard-screenshots
// at the repo root).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BROWSERS, ENGINE_NAMES, LIMITS, launch, setModuleLoader } from '../../wasm/test-browser/browsers.mjs';
import { serveStatic } from '../scripts/serve.mjs';
import { consoleLines, count, sleep, tab, texts, waitOpen } from './page-helpers.mjs';

setModuleLoader((name) => import(name)); // the browser drivers web/package-lock.json pins

const webRoot = fileURLToPath(new URL('../', import.meta.url));
const dist = join(webRoot, 'dist');
const shots = process.env.STRATA_SCREENSHOTS ?? join(webRoot, '../build/dashboard-screenshots');

let server;
let profiles;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'build the site first: npm run build');
  server = await serveStatic({ root: dist, base: '/tools/strata/dashboard/' });
  profiles = mkdtempSync(join(tmpdir(), 'strata-dashboard-e2e-'));
  for (const engine of BROWSERS) mkdirSync(join(shots, engine), { recursive: true });
});

after(async () => {
  await server?.close();
  if (profiles) rmSync(profiles, { recursive: true, force: true });
});

/**
 * A browser of `engine` on its shared profile (IndexedDB outlives each
 * launch, where the engine can) with the dashboard open: fn(page, browser).
 * Any console error or uncaught error in its pages or workers fails the test.
 */
async function withDashboard(engine, fn, viewport = { width: 1280, height: 800 }) {
  const browser = await launch(engine, { profile: join(profiles, engine), viewport });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await waitOpen(page); // the database of the last visit, or demo
    await fn(page, browser);
    assert.deepEqual(browser.errors, [], `the dashboard logged errors in ${ENGINE_NAMES[engine]}`);
  } finally {
    await browser.close();
  }
}

/** Types a console command and returns the text of the lines it printed. */
const run = async (page, command) => (await consoleLines(page, command)).join('\n');

function shoot(page, name, selector) {
  return page.screenshot(join(shots, page.browser.engine, `${name}.png`), { selector, fullPage: !selector });
}

// A restart keeps the data only where the engine keeps a profile; else the
// page is reloaded in the same session instead, and the name says so.
for (const engine of BROWSERS) {
  const cannot = LIMITS[engine]?.restart;
  const name = cannot
    ? `console commands, a workload until a compaction, data kept across a reload in the same session, not a browser restart (${cannot})`
    : 'console commands, a workload until a compaction, data kept across a reload';
  test(`${name} [${engine}]`, { timeout: 240_000 }, async () => {
    const checkKept = async (page) => {
      await waitOpen(page, 'demo');
      await tab(page, 'console');
      assert.match(await run(page, 'GET greeting'), /hello world/);
      assert.match(await run(page, 'GET b'), /"?2"?/);
      await tab(page, 'keys');
      await page.click('#keys-go');
      await page.waitForSelector('#keys-table .key-row');
      assert.ok((await count(page, '#keys-table .key-row')) > 10);
    };
    await withDashboard(engine, async (page) => {
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
      await page.waitForSelector('.compaction-row[data-kind="compaction"]', { timeout: 150_000 }).catch(async (e) => {
        // Now and then in Firefox durable writes crawl through the database
        // worker and no compaction comes: say what the workload and health
        // panels showed then, to tell why.
        const shown = await page.evaluate(() =>
          ['#panel-health', '.tools'].map((s) => document.querySelector(s)?.innerText ?? '').join('\n'),
        );
        throw new Error(`${e.message}; the dashboard showed:\n${shown}`);
      });
      // The engine's events carry a job's levels and tables: its row shows them at once.
      const cells = await texts(page, '.compaction-row[data-kind="compaction"] td');
      assert.match(cells[2], /^L\d → L\d$/);
      assert.match(cells[7], /^\d+ (→ (\d+|–)|moved)$/);
      await shoot(page, 'workload', '.tools');
      await page.click('#workload-stop');
      await sleep(1500); // a few more stats polls while the load settles

      for (const panel of ['memtable', 'health', 'levels', 'compaction', 'charts']) await shoot(page, panel, `#panel-${panel}`);
      await page.screenshot(join(shots, engine, 'dashboard-1280x800.png')); // what the window shows
      await shoot(page, 'dashboard-full-page');
      const tables = await count(page, '#panel-levels [data-table]');
      assert.ok(tables > 0, 'the levels view draws the tables');
      await page.hover('#panel-levels [data-table]');
      await shoot(page, 'levels-table-details', '#panel-levels');

      for (const id of ['keys', 'bench', 'databases', 'logs', 'metrics']) {
        await tab(page, id);
        await sleep(300);
        await shoot(page, id, '.tools');
      }
      if (cannot) {
        await page.reload();
        await checkKept(page);
      }
    });

    // Reload (a new browser on the same profile): the data is still there.
    if (!cannot) await withDashboard(engine, checkKept);
  });
}

for (const engine of BROWSERS) {
  // Where the engine cannot save a download, the export is read from the
  // link the page makes to save it (browsers.mjs), and the name says so.
  const cannot = LIMITS[engine]?.download;
  const name = cannot
    ? `databases: create, export (the file read from the page's download link: ${cannot}), import into another, destroy`
    : 'databases: create, export, import into another, destroy';
  test(`${name} [${engine}]`, { timeout: 180_000 }, async () => {
    await withDashboard(engine, async (page) => {
      await tab(page, 'databases');
      await page.fill('#db-new-name', 'e2e-source');
      await page.click('#db-create');
      await waitOpen(page, 'e2e-source');
      await tab(page, 'console');
      assert.match(await run(page, 'BATCH PUT k1 v1; PUT k2 v2; PUT "\\x00bin" "\\xff"'), /OK/);

      await tab(page, 'databases');
      const file = await page.download(() => page.click('#databases-table tr[data-database="e2e-source"] [data-action="export"]'), profiles);
      assert.match(file, /e2e-source\.stratadb\.jsonl$/);
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
      const row = '#databases-table tr[data-database="e2e-source"]';
      await page.click(`${row} [data-action="destroy"]`);
      await page.fill(`${row} input`, 'e2e-source');
      await page.click(`${row} button.danger`);
      await page.waitForFunction(() => /e2e-source is destroyed/.test(document.getElementById('databases-status')?.textContent ?? ''), null, { timeout: 60_000 });
      await page.waitForFunction(() => !document.querySelector('#databases-table tr[data-database="e2e-source"]'));
      await shoot(page, 'databases-after-destroy', '.tools');
    });
  });
}

for (const engine of BROWSERS) {
  test(`metrics and logs tabs show the engine’s own numbers and events [${engine}]`, { timeout: 120_000 }, async () => {
    await withDashboard(engine, async (page) => {
      await tab(page, 'console');
      await run(page, 'PUT m 1');
      await run(page, 'FLUSH');
      await tab(page, 'metrics');
      await page.waitForFunction(() => /strata_puts_total \d+/.test(document.getElementById('metrics-text')?.textContent ?? ''), null, { timeout: 30_000 });
      await tab(page, 'logs');
      await page.selectOption('#logs-level', 'debug');
      await page.waitForSelector('#logs-table .log-row[data-event="durable"]', { timeout: 30_000 });
      // The flush, with the reason the engine gave; its row opens to the entry's JSON.
      const flushed = '#logs-table .log-row[data-event="flush.finished"]';
      await page.waitForFunction((s) => [...document.querySelectorAll(s)].some((row) => /\(manual\)/.test(row.textContent ?? '')), flushed, { timeout: 30_000 });
      await page.click(`${flushed} .log-summary`);
      const entry = JSON.parse((await texts(page, `${flushed} + .log-json-row .log-json`))[0]);
      assert.equal(entry.event, 'flush.finished');
      assert.equal(entry.reason, 'manual');
    });
  });
}

for (const engine of BROWSERS) {
  test(`the benchmark runs both sides in the browser and shows their ratios [${engine}]`, { timeout: 180_000 }, async () => {
    await withDashboard(engine, async (page) => {
      await tab(page, 'bench');
      await page.fill('#bench-awaited', '20');
      await page.fill('#bench-bulk', '500');
      await page.click('#bench-start');
      await page.waitForSelector('#bench-progress[data-state="done"]', { timeout: 150_000 });
      const ratios = await texts(page, '#bench-results .bench-ratio-value');
      assert.equal(ratios.length, 4);
      for (const ratio of ratios) assert.match(ratio, /^\d+\.\d\d×$/);
      await shoot(page, 'bench-results', '.tools');
    });
  });
}

for (const engine of BROWSERS) {
  test(`a second tab is the database's viewer and says why [${engine}]`, { timeout: 120_000 }, async () => {
    // The second page's errors, like the first's, fail the test (withDashboard).
    await withDashboard(engine, async (page, browser) => {
      const second = await browser.newPage();
      await second.goto(server.url);
      await waitOpen(second);
      await second.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'viewer', null, { timeout: 30_000 });
      const why = await second.evaluate(() => document.getElementById('panel-health').innerText);
      assert.match(why, /Another tab or worker writes to this database/);
      await tab(second, 'console');
      assert.match(await run(second, 'PUT k v'), /ReadOnly/);
      await shoot(second, 'second-tab-viewer', '#panel-health');
      await second.close();
    });
  });
}

for (const engine of BROWSERS) {
  test(`a narrow window: one column, nothing wider than the window [${engine}]`, { timeout: 120_000 }, async () => {
    await withDashboard(
      engine,
      async (page) => {
        await sleep(1000);
        const { overflow, width } = await page.evaluate(() => ({ overflow: document.documentElement.scrollWidth - window.innerWidth, width: window.innerWidth }));
        assert.ok(width <= 460, `the window is ${width}px wide, not narrow`);
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
        await shoot(page, 'dashboard-narrow-420');
      },
      { width: 420, height: 900 },
    );
  });
}
