// The dashboard's second round in headless Chromium (the browser suite's
// driver, wasm/test-browser/browsers.mjs), on the built site (web/dist):
// the HELP examples run as commands, a long command's echo, the key editor's
// size after a save, history that survives a reload (and its clear button),
// the log as columns, a viewer tab that refreshes and takes over when the
// writer goes, an export of another database that switches nothing, the
// databases list, throughput explained while a load runs, the key axis with
// stray keys, no layout shift, storage never 0 B. Screenshots of every panel
// after these changes go to STRATA_SCREENSHOTS/round2 (default:
// build/dashboard-screenshots/round2 at the repo root).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launch, setModuleLoader } from '../../wasm/test-browser/browsers.mjs';
import { serveStatic } from '../scripts/serve.mjs';
import { consoleLines, count, sleep, tab, text, texts, waitOpen } from './page-helpers.mjs';

setModuleLoader((name) => import(name)); // the browser drivers web/package-lock.json pins

const webRoot = fileURLToPath(new URL('../', import.meta.url));
const dist = join(webRoot, 'dist');
const shots = join(process.env.STRATA_SCREENSHOTS ?? join(webRoot, '../build/dashboard-screenshots'), 'round2');

let server;
let profiles;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'build the site first: npm run build');
  server = await serveStatic({ root: dist, base: '/tools/strata/dashboard/' });
  profiles = mkdtempSync(join(tmpdir(), 'strata-dashboard-flows-'));
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await server?.close();
  if (profiles) rmSync(profiles, { recursive: true, force: true });
});

/** Chromium on a profile of the test's own with the dashboard open: fn(page, browser). Errors in any page or worker fail it. */
async function withDashboard(profile, fn, viewport = { width: 1280, height: 800 }) {
  const browser = await launch('chromium', { profile: join(profiles, profile), viewport });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await waitOpen(page);
    await fn(page, browser);
    assert.deepEqual(browser.errors, [], 'the dashboard logged errors');
  } finally {
    await browser.close();
  }
}

/** Types a console command; resolves to its echo and the lines it printed after it. */
async function run(page, command) {
  const [echo, ...out] = await consoleLines(page, command);
  return { echo, out: out.join('\n') };
}

/** Scrolls a panel into view and gives the painter a frame, then saves its picture. */
async function shoot(page, name, selector) {
  if (selector) {
    // Its top just under the sticky top bar.
    await page.evaluate((s) => window.scrollTo(0, document.querySelector(s).getBoundingClientRect().top + window.scrollY - 56), selector);
    await sleep(600);
  }
  await page.screenshot(join(shots, `${name}.png`), { selector, fullPage: !selector });
}

/** The value of the Health row `id` (health-<id>). */
const health = (page, id) => text(page, `#health-${id} .health-value`);

test('every HELP example runs as a command; a 70 KB command is echoed short', { timeout: 120_000 }, async () => {
  await withDashboard('help', async (page) => {
    await tab(page, 'console');
    const help = (await run(page, 'HELP')).out;
    const commands = [...help.matchAll(/^(\w+) /gm)].map((m) => m[1]).filter((c) => c === c.toUpperCase());
    assert.ok(commands.length >= 10, `HELP lists the commands: ${commands.join(' ')}`);
    let examples = 0;
    for (const command of commands) {
      for (const [, example] of (await run(page, `HELP ${command}`)).out.matchAll(/^ +example: (.+)$/gm)) {
        const { out } = await run(page, example);
        assert.doesNotMatch(out, /\(error\)/, `${example} → ${out}`);
        examples++;
      }
    }
    assert.ok(examples >= 8, `${examples} examples ran`);
    // The SCAN example: every key starting with user: (PUT user:1 alice ran before it; DEL removed it).
    await run(page, 'PUT user:2 bob');
    await run(page, 'PUT usera no');
    assert.match((await run(page, 'SCAN user: "user;" LIMIT 10')).out, /1\) user:2 => bob\n\(1 entry\)/);

    const big = `PUT big ${'x'.repeat(70_000)}`;
    const { echo, out } = await run(page, big);
    assert.match(out, /OK/);
    assert.ok(echo.length < 300, `the echo is ${echo.length} characters`);
    assert.match(echo, /… \(70,008 characters\)$/);
    await shoot(page, 'console', '.tools');
  });
});

test('the key editor shows the size of what was saved', { timeout: 120_000 }, async () => {
  await withDashboard('keys', async (page) => {
    await tab(page, 'console');
    await run(page, 'PUT edit-me "6 byte"');
    await tab(page, 'keys');
    await page.fill('#keys-start', 'edit-me');
    await page.click('#keys-go');
    await page.waitForSelector('#keys-table .key-row');
    await page.click('#keys-table .key-row');
    await page.waitForSelector('#value-editor');
    assert.match(await text(page, '#value-size'), /^6 B/);
    await page.fill('#value-editor', 'eighteen bytes now');
    await page.click('#value-save');
    await page.waitForFunction(() => /saved 18 B/.test(document.getElementById('value-status')?.textContent ?? ''));
    assert.match(await text(page, '#value-size'), /^18 B/);
    await shoot(page, 'keys', '.tools');
  });
});

test('logs, compaction history and chart points survive a reload, as columns, newest first; Clear history forgets them', { timeout: 180_000 }, async () => {
  await withDashboard('history', async (page) => {
    await tab(page, 'console');
    for (let i = 0; i < 3; i++) {
      await run(page, `BATCH PUT a${i} 1; PUT m${i} 2; PUT z${i} 3`);
      await run(page, 'FLUSH');
    }
    assert.match((await run(page, 'COMPACT')).out, /OK/);
    await page.waitForSelector('.compaction-row[data-kind="flush"]');
    await page.evaluate(() => document.getElementById('panel-charts').scrollIntoView()); // drawn while on screen
    await page.waitForFunction(() => (document.querySelector('#chart-ops path.chart-line')?.getAttribute('d') ?? '') !== '');
    await sleep(3000); // the history is stored every 2 s

    await page.reload();
    await waitOpen(page);
    // Before this page saw any event: what was saved.
    await page.waitForFunction(() => document.querySelectorAll('.compaction-row[data-kind="flush"]').length >= 3, null, { timeout: 10_000 });
    assert.ok((await count(page, '.compaction-row[data-kind="compaction"]')) >= 1);
    await page.evaluate(() => document.getElementById('panel-charts').scrollIntoView());
    await page.waitForFunction(() => (document.querySelector('#chart-ops path.chart-line')?.getAttribute('d') ?? '') !== '', null, { timeout: 10_000 });

    await tab(page, 'logs');
    await page.waitForSelector('#logs-table .log-row');
    const events = await texts(page, '#logs-table .log-row td:nth-child(3)');
    assert.ok(events.filter((e) => e === 'flush.finished').length >= 3, events.join(' '));
    // Columns: time, level, event, levels, summary; newest first.
    const times = await texts(page, '#logs-table .log-row td:nth-child(1)');
    assert.ok(times.every((t, i) => i === 0 || t <= times[i - 1]), 'newest first');
    const flushRow = '#logs-table .log-row[data-event="flush.finished"]';
    assert.equal(await text(page, `${flushRow} td:nth-child(4)`), '→ L0');
    // Filtered by text, and a row opens to its JSON.
    await page.fill('#logs-filter', 'compaction.finished');
    await page.waitForFunction(() => [...document.querySelectorAll('#logs-table .log-row td:nth-child(3)')].every((td) => td.textContent === 'compaction.finished'));
    assert.match(await text(page, '#logs-table .log-row td:nth-child(4)'), /^L\d → L\d$/);
    await page.click('#logs-table .log-row');
    const json = JSON.parse(await text(page, '#logs-table .log-json-row .log-json'));
    assert.equal(json.event, 'compaction.finished');
    assert.equal(typeof json.outputLevel, 'number');
    await shoot(page, 'logs', '.tools');

    await page.fill('#logs-filter', '');
    await page.click('#logs-clear');
    await page.waitForFunction(() => /cleared the history/.test(document.querySelector('.logs-status')?.textContent ?? ''));
    await sleep(2500);
    await page.reload();
    await waitOpen(page);
    await sleep(1500);
    assert.equal(await count(page, '.compaction-row[data-kind="flush"]'), 0, 'cleared rows stay cleared');
  });
});

test('a second tab is a viewer: it says so everywhere, refreshes on its own, and takes over when the writer goes', { timeout: 180_000 }, async () => {
  await withDashboard('tabs', async (writer, browser) => {
    assert.equal(await text(writer, '#current-mode'), 'writer');
    const viewer = await browser.newPage();
    await viewer.goto(server.url);
    await waitOpen(viewer);
    await viewer.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'viewer', null, { timeout: 30_000 });
    // Watching is normal: not Degraded; Health, INFO and STATS say viewer.
    assert.equal(await text(viewer, '#health-badge'), 'Healthy');
    assert.equal(await health(viewer, 'access'), 'viewer');
    await tab(viewer, 'console');
    assert.match((await run(viewer, 'INFO')).out, /access +viewer: Another tab or worker writes/);
    assert.match((await run(viewer, 'STATS')).out, /access +viewer/);
    assert.match((await run(viewer, 'PUT k v')).out, /ReadOnly: .*this tab is a viewer/);
    await shoot(viewer, 'viewer-health', '#panel-health');

    // What the writer writes, the viewer sees within a refresh or two.
    await tab(writer, 'console');
    await run(writer, 'PUT seen-by-viewer yes');
    await viewer.waitForFunction(
      async () => {
        const input = document.getElementById('console-input');
        input.value = 'GET seen-by-viewer';
        input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        await new Promise((r) => setTimeout(r, 400));
        const lines = [...document.querySelectorAll('#console-output .console-line')];
        return lines[lines.length - 1]?.textContent?.startsWith('yes');
      },
      null,
      { timeout: 20_000 },
    );

    // It shows the writer's tables and history too: a flush there appears here.
    await run(writer, 'FLUSH');
    const l0 = '#panel-levels .lv-row[data-level="0"] .lv-files';
    await writer.waitForFunction((s) => document.querySelector(s)?.textContent === '1', l0);
    await viewer.waitForFunction((s) => document.querySelector(s)?.textContent === '1', l0, { timeout: 20_000 });
    await viewer.waitForSelector('.compaction-row[data-kind="flush"]', { timeout: 20_000 });

    // The writer goes: the viewer offers to take over, and does.
    await writer.close();
    await viewer.waitForSelector('#take-over', { timeout: 15_000 });
    assert.equal(await health(viewer, 'access'), 'viewer · writer gone');
    await shoot(viewer, 'viewer-writer-gone', '.topbar');
    await viewer.click('#take-over');
    await viewer.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'writer', null, { timeout: 30_000 });
    assert.match((await run(viewer, 'PUT after-take-over 1')).out, /OK/);

    // A third tab, told to take over by itself, does so when this one goes.
    const third = await browser.newPage();
    await third.goto(server.url);
    await waitOpen(third);
    await third.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'viewer', null, { timeout: 30_000 });
    await third.click('#take-over-auto');
    await viewer.close();
    await third.waitForFunction(() => document.getElementById('current-mode')?.textContent === 'writer', null, { timeout: 30_000 });
  });
});

test('exporting another database switches nothing and a running workload goes on; the list shows size, tables, last opened', { timeout: 180_000 }, async () => {
  await withDashboard('export', async (page) => {
    await tab(page, 'databases');
    await page.fill('#db-new-name', 'other');
    await page.click('#db-create');
    await waitOpen(page, 'other');
    await tab(page, 'console');
    await run(page, 'BATCH PUT o1 1; PUT o2 2; PUT o3 3');
    await run(page, 'FLUSH');
    await tab(page, 'databases');
    await page.click('#databases-table tr[data-database="demo"] [data-action="open"]');
    await waitOpen(page, 'demo');

    await tab(page, 'workload');
    await page.fill('#workload-rate', '500');
    await page.click('#workload-start');
    await page.waitForFunction(() => document.getElementById('workload-status')?.dataset.state === 'running');
    await tab(page, 'databases');
    const file = await page.download(() => page.click('#databases-table tr[data-database="other"] [data-action="export"]'), profiles);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(JSON.parse(lines[0]).database, 'other');
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), { end: true, entries: 3 });
    assert.equal(await text(page, '#current-database'), 'demo');
    assert.equal(await page.evaluate(() => document.getElementById('workload-status')?.dataset.state), 'running');

    // The list: what was seen of each, and when it was last opened.
    await page.waitForFunction(() => (document.querySelector('#databases-table tr[data-database="other"] .db-tables')?.textContent ?? '–') !== '–');
    assert.match(await text(page, '#databases-table tr[data-database="other"] .db-tables'), /^[1-9]\d*$/);
    assert.match(await text(page, '#databases-table tr[data-database="other"] .db-size'), /\d+(\.\d+)? (B|KiB|MiB)$/);
    assert.match(await text(page, '#databases-table tr[data-database="demo"] .db-opened'), /just now|s ago/);
    await shoot(page, 'databases', '.tools');
    await tab(page, 'workload');
    await page.click('#workload-stop');
  });
});

test('throughput explained: caller and engine latency, commits, why behind', { timeout: 180_000 }, async () => {
  await withDashboard('load', async (page) => {
    await tab(page, 'workload');
    await page.selectOption('#workload-kind', 'random');
    await page.fill('#workload-rate', '5000');
    await page.fill('#workload-keys', '20000');
    await page.click('#workload-start');
    await sleep(8000);
    const stage = await page.evaluate(() => document.getElementById('workload-why')?.dataset.stage);
    assert.ok(['keeping-up', 'write-stall', 'page-thread', 'commit-rate', 'rate-cap', 'database'].includes(stage), stage);
    const why = await text(page, '#workload-why');
    assert.match(why, stage === 'keeping-up' ? /^keeping up/ : /^behind \(.*\): /);
    const durable = await texts(page, '#workload-latency tr[data-kind="durable"] td');
    assert.match(durable[1], /\d+(\.\d+)? (µs|ms|s)$/, `caller p50 of durable writes: ${durable.join(' | ')}`);
    assert.match(durable[2], /\d+(\.\d+)? (µs|ms|s)$/);
    assert.match(await text(page, '#workload-latency tr[data-kind="engine"] td:nth-child(2)'), /µs|ms/);
    await page.evaluate(() => document.getElementById('panel-charts').scrollIntoView());
    await sleep(1200);
    assert.match(await text(page, '#charts-commits'), /^Commits: \d+(\.\d)?\/s · .+ each · .+ each · [\d,.k]+ writes waiting$/);
    assert.match(await health(page, 'commits'), /(µs|ms|s) · \d+(\.\d)?\/s$/);
    // The WAL line: live segments apart from what was written since open; L0 against the trigger its score counts.
    const wal = await texts(page, '#memtable-wal .mt-value, #memtable-wal .mt-sub');
    assert.match(wal[0], /^\d+ live segments?( \/ \d+)?$/);
    assert.match(wal[1], /^since open: .+ written · .+ records · .+ syncs$/);
    assert.match(await text(page, '#panel-levels .lv-row[data-level="0"] .lv-load-text'), /^\d+ \/ 4 files$/);
    await shoot(page, 'workload', '.tools');
    for (const panel of ['memtable', 'health', 'compaction', 'charts']) await shoot(page, panel, `#panel-${panel}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, 'dashboard-full-page');
    await tab(page, 'workload');
    await page.click('#workload-stop');
    // Its last drawing shows how it ended: stopped, nothing left in flight.
    await page.waitForFunction(() => document.getElementById('workload-status')?.dataset.state === 'stopped');
    await page.waitForFunction(() => /^stopped by you$/.test(document.querySelector('#workload-status .wl-state-text')?.textContent ?? ''), null, { timeout: 30_000 });
  }, { width: 1280, height: 1500 }); // tall enough for the Workload tab whole
});

test('the key axis gives the keys the tables hold their width, and shows a table next to the pointer', { timeout: 180_000 }, async () => {
  await withDashboard('axis', async (page) => {
    await tab(page, 'console');
    await run(page, 'BATCH PUT a 1; PUT user:1 u; PUT user:2 u; PUT "\\xc3\\xa9" e');
    await tab(page, 'workload');
    await page.selectOption('#workload-kind', 'sequential');
    await page.fill('#workload-rate', '8000');
    await page.fill('#workload-keys', '100000');
    await page.click('#workload-start');
    await page.waitForFunction(() => Number(document.getElementById('workload-status')?.dataset.done ?? 0) >= 60_000, null, { timeout: 90_000 });
    await page.click('#workload-stop');
    await tab(page, 'console');
    await run(page, 'COMPACT');
    await page.evaluate(() => document.getElementById('panel-levels').scrollIntoView());
    await sleep(1500);
    const cover = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('#panel-levels .lv-track')].filter((t) => t.children.length > 0);
      const deepest = rows[rows.length - 1];
      const width = deepest.getBoundingClientRect().width;
      const bars = [...deepest.children].map((b) => b.getBoundingClientRect().width);
      return { share: bars.reduce((a, b) => a + b, 0) / width, tables: bars.length };
    });
    assert.ok(cover.share > 0.8, `the deepest level's ${cover.tables} tables cover ${(cover.share * 100).toFixed(0)}% of the track`);
    assert.match(await text(page, '#panel-levels .lv-axis-low'), /^a$/);
    await page.hover('#panel-levels .lv-track [data-table]');
    await page.waitForSelector('#levels-details');
    const near = await page.evaluate(() => {
      const bar = document.querySelector('#panel-levels .lv-track [data-table]:hover') ?? document.querySelector('#panel-levels .lv-track [data-table]');
      const box = document.getElementById('levels-details').getBoundingClientRect();
      const at = bar.getBoundingClientRect();
      const gap = box.top >= at.bottom ? box.top - at.bottom : at.top - box.bottom;
      return { gap, overlaps: box.left < at.right && box.right > at.left, box: [box.top, box.bottom], at: [at.top, at.bottom], bar: bar.dataset.table };
    });
    assert.ok(near.gap >= 0 && near.gap < 20 && near.overlaps, `the details box sits next to the table: ${JSON.stringify(near)}`);
    assert.match(await text(page, '#levels-details'), /Table #\d+ in L\d/);
    await page.click('#panel-levels .lv-track [data-table]'); // pinned: it stays while the pointer is away
    await page.waitForFunction(() => /pinned/.test(document.getElementById('levels-details')?.textContent ?? ''));
    await shoot(page, 'levels', '#panel-levels');
  });
});

test('nothing shifts on load or when persistence is asked for, and storage never shows 0 B', { timeout: 120_000 }, async () => {
  await withDashboard('shifts', async (page) => {
    await page.reload();
    await page.evaluate(() => {
      window.shifts = [];
      window.storageSeen = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => window.shifts.push(e.value))).observe({ type: 'layout-shift', buffered: true });
      setInterval(() => window.storageSeen.push(document.querySelector('#health-storage .health-value')?.textContent ?? ''), 100);
    });
    await waitOpen(page);
    await sleep(6000);
    const load = await page.evaluate(() => window.shifts.reduce((a, b) => a + b, 0));
    assert.ok(load < 0.02, `layout shift on load: ${load.toFixed(4)}`);
    const seen = await page.evaluate(() => window.storageSeen);
    assert.ok(!seen.some((v) => /^0 B/.test(v)), `storage shown as ${[...new Set(seen)].join(', ')}`);
    assert.match(seen[seen.length - 1], /^\d+(\.\d+)? (B|KiB|MiB|GiB) \//);
    await page.evaluate(() => (window.shifts = []));
    await page.click('#persist-button');
    await sleep(1500);
    assert.equal(await page.evaluate(() => window.shifts.reduce((a, b) => a + b, 0)), 0);
    await page.screenshot(join(shots, 'dashboard-1280x800.png'));
    for (const id of ['bench', 'metrics']) {
      await tab(page, id);
      await sleep(800);
      await shoot(page, id, '.tools');
    }
  });
});
