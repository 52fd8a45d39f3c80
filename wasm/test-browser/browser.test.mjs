// Real-browser tests of the package in Chromium, Firefox and WebKit (node
// --test; each test once per engine, named "... [engine]"; browsers.mjs
// drives them): persistence across a reload and across a browser restart
// (real IndexedDB through IDBFS), a page closed mid-load, one writer per
// database (Web Locks), the package in a module Web Worker, and a Vite build
// of an app that imports it. Every console error and uncaught error of a
// page or worker fails the test that caused it, unless it expected it.
// Pages are served from wasm/ on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { serve } from '../bench/browser/serve.mjs';
import { contractChecks } from '../test/contract-checks.js';
import { BROWSERS, ENGINE_NAMES, LIMITS, launch, runWithoutWebDriver } from './browsers.mjs';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
let server;
let profiles;

before(async () => {
  server = await serve(packageRoot);
  profiles = mkdtempSync(join(tmpdir(), 'strata-browser-test-'));
});

after(async () => {
  await server?.close();
  if (profiles) rmSync(profiles, { recursive: true, force: true });
  if (viteApp) rmSync((await viteApp).outDir, { recursive: true, force: true });
});

/** Defines test `name [engine]` for every engine: fn(engine). */
function eachEngine(name, fn) {
  for (const engine of BROWSERS) test(`${name} [${engine}]`, { timeout: 300_000 }, () => fn(engine));
}

/**
 * Runs fn(browser) with `engine` on its shared profile (so IndexedDB
 * outlives each launch, where the engine can), closed afterwards. Fails
 * on any console error or uncaught error in its pages and workers, except
 * those `expected` matches (fn may also take them from browser.errors).
 */
async function withBrowser(engine, fn, { expected } = {}) {
  const browser = await launch(engine, { profile: join(profiles, engine) });
  let result;
  try {
    result = await fn(browser);
  } finally {
    await browser.close();
  }
  const errors = browser.errors.filter((e) => !expected?.test(e));
  assert.deepEqual(errors, [], `errors in ${ENGINE_NAMES[engine]}'s pages or workers`);
  return result;
}

/** Polls check() until it is truthy; fails after timeout ms. */
async function waitUntil(check, timeout, what) {
  for (const end = Date.now() + timeout; !(await check()); ) {
    assert.ok(Date.now() < end, `timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Loads url in page and returns the window.testResult it sets. */
async function resultOf(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.testResult !== undefined, null, { timeout: 60_000 });
  const result = await page.evaluate(() => window.testResult);
  assert.equal(result.error, undefined, result.error);
  return result;
}

const expectPersisted = (r) => {
  assert.equal(r.count, 1001); // 1000 keys - k0000 + "last" + the binary key
  assert.equal(r.k0500, 'v500');
  assert.equal(r.deleted, true);
  assert.equal(r.last, 'batch');
  assert.equal(r.bigOk, true);
};

const persistPage = (phase) => `${server.url}/test-browser/pages/persist.html?phase=${phase}`;

for (const engine of BROWSERS) {
  const cannot = LIMITS[engine]?.restart;
  if (!cannot) {
    test(`durable writes survive a page reload and a browser restart [${engine}]`, { timeout: 300_000 }, async () => {
      await withBrowser(engine, async (browser) => {
        const page = await browser.newPage();
        await resultOf(page, persistPage('write'));
        // A reload drops the wasm instance without close(): a crash, to it.
        expectPersisted(await resultOf(page, persistPage('read')));
      });
      await withBrowser(engine, async (browser) => {
        expectPersisted(await resultOf(await browser.newPage(), persistPage('read')));
      });
    });
  } else {
    // The restart is covered without WebDriver: the same pages in the
    // browser's own process on a real profile, killed (SIGKILL) once the
    // writes are acknowledged and started again.
    test(`durable writes survive a page reload, and a browser restart run without WebDriver on a real profile, the browser killed after the writes (${cannot}) [${engine}]`, { timeout: 300_000 }, async () => {
      await withBrowser(engine, async (browser) => {
        const page = await browser.newPage();
        await resultOf(page, persistPage('write'));
        expectPersisted(await resultOf(page, persistPage('read')));
      });
      const profile = join(profiles, `${engine}-real-profile`);
      assert.deepEqual(await runWithoutWebDriver(persistPage('write'), profile), { written: 1002 });
      const read = await runWithoutWebDriver(persistPage('read'), profile);
      assert.equal(read.error, undefined, read.error);
      expectPersisted(read);
      assert.ok(read.recovered > 0, 'the read found its data in the WAL after the kill');
    });
  }
}

eachEngine('a second opener of an open database gets Busy (Web Locks), until it closes', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const result = await resultOf(await browser.newPage(), `${server.url}/test-browser/pages/locks.html`);
    assert.deepEqual(result, { secondOpen: 'Busy', destroyWhileOpen: 'Busy', value: 'from a' });
  });
});

/** A page with the package at window.stratadb. */
async function apiPage(browser) {
  const page = await browser.newPage();
  await page.goto(`${server.url}/test-browser/pages/api.html`);
  await page.waitForFunction(() => window.testResult === 'ready', null, { timeout: 60_000 });
  return page;
}

eachEngine('a second tab gets Busy, or a read-only handle that refreshes on request', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const [a, b] = [await apiPage(browser), await apiPage(browser)];
    await a.evaluate(async () => {
      window.db = await window.stratadb.open('tabs');
      await window.db.put('k1', 'one');
    });
    // The default: Busy, naming the database.
    const busy = await b.evaluate(() =>
      window.stratadb.open('tabs').then(
        () => 'opened',
        (e) => `${e.code}: ${e.message}`,
      ),
    );
    assert.match(busy, /^Busy: .*tabs/);
    // By option: a read-only handle on what is stored.
    const seen = await b.evaluate(async () => {
      window.reader = await window.stratadb.open('tabs', { ifLocked: 'readonly' });
      let write;
      try {
        await window.reader.put('k2', 'no');
      } catch (e) {
        write = e.code;
      }
      return { readOnly: window.reader.readOnly, k1: window.reader.get('k1'), write };
    });
    assert.deepEqual(seen, { readOnly: true, k1: 'one', write: 'ReadOnly' });
    await a.evaluate(() => window.db.put('k2', 'two'));
    const refreshed = await b.evaluate(async () => {
      const before = window.reader.get('k2');
      window.reader = await window.reader.refresh();
      return { before: before ?? null, after: window.reader.get('k2') };
    });
    assert.deepEqual(refreshed, { before: null, after: 'two' });
    // The worker client says so too.
    const inWorker = await b.evaluate(async () => {
      const reader = await window.stratadb.openInWorker('tabs', { ifLocked: 'readonly' });
      const writer = await window.stratadb.openInWorker('tabs-other');
      const result = { reader: reader.readOnly, writer: writer.readOnly, k2: await reader.get('k2') };
      await reader.close();
      await writer.close();
      return result;
    });
    assert.deepEqual(inWorker, { reader: true, writer: false, k2: 'two' });
    await a.evaluate(() => window.db.close());
  });
});

eachEngine('100,000 keys written, the page reloaded, all read back', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    await page.evaluate(async () => {
      const db = await window.stratadb.open('hundred-thousand');
      const key = (i) => `key${String(i).padStart(6, '0')}`;
      for (let i = 0; i < 100_000; i += 1000) {
        const batch = [];
        for (let j = i; j < i + 1000; j++) batch.push({ type: 'put', key: key(j), value: `value ${j}` });
        await db.batch(batch);
      }
      // No close: the reload drops it.
    });
    await page.reload();
    await page.waitForFunction(() => window.testResult === 'ready', null, { timeout: 60_000 });
    const result = await page.evaluate(async () => {
      const db = await window.stratadb.open('hundred-thousand');
      let count = 0;
      let wrong = 0;
      for (const { key, value } of db.iterator()) {
        if (value !== `value ${Number(key.slice(3))}`) wrong++;
        count++;
      }
      const stats = db.stats();
      await db.close();
      return { count, wrong, tables: stats.levels.reduce((n, l) => n + l.files, 0) };
    });
    assert.equal(result.count, 100_000);
    assert.equal(result.wrong, 0);
    assert.ok(result.tables > 0, 'the data went through tables, not only the WAL');
  });
});

eachEngine('a page closed during a write load keeps every acknowledged batch, whole', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const writer = await apiPage(browser);
    // Sequential durable batches of 20 keys, each key tagged with its batch.
    await writer.evaluate(() => {
      window.acked = 0;
      (async () => {
        const db = await window.stratadb.open('killed-mid-load', { memtableBytes: 64 * 1024 });
        for (let b = 1; ; b++) {
          const batch = [];
          for (let k = 0; k < 20; k++) batch.push({ type: 'put', key: `k${k}`, value: `b${b}` });
          batch.push({ type: 'put', key: `batch${String(b).padStart(6, '0')}`, value: 'done' });
          await db.batch(batch);
          window.acked = b;
        }
      })();
    });
    await writer.waitForFunction(() => window.acked >= 300, null, { timeout: 60_000 });
    const ackedBeforeClose = await writer.evaluate(() => window.acked);
    await writer.close(); // without its unload handlers

    const reader = await apiPage(browser);
    const state = await reader.evaluate(async () => {
      const db = await window.stratadb.open('killed-mid-load');
      const values = new Set();
      for (let k = 0; k < 20; k++) values.add(db.get(`k${k}`));
      const markers = db.scan({ gte: 'batch', lt: 'batci' }).map((e) => Number(e.key.slice(5)));
      await db.close();
      return { values: [...values], markers };
    });
    // Every key holds the same batch's value: no batch landed in part.
    assert.equal(state.values.length, 1, `keys from different batches: ${state.values}`);
    const last = Number(state.values[0].slice(1));
    assert.ok(last >= ackedBeforeClose, `batch ${ackedBeforeClose} was acknowledged, only ${last} survived`);
    // The markers are exactly batches 1..last.
    assert.equal(state.markers.length, last);
    assert.equal(state.markers.at(-1), last);
  });
});

eachEngine('a quota-exceeded IndexedDB turns the handle read-only and loses nothing acknowledged', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      const db = await window.stratadb.open('quota');
      for (let i = 0; i < 50; i++) await db.put(`k${i}`, `v${i}`);
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function () {
        throw new DOMException('simulated: the quota is exhausted', 'QuotaExceededError');
      };
      const codeOf = (p) => p.then(() => 'ok', (e) => e.code);
      const failed = await codeOf(db.put('k50', 'v50'));
      const later = await codeOf(db.put('k51', 'v51'));
      const readable = db.get('k49');
      const readOnly = db.stats().readOnly;
      IDBObjectStore.prototype.put = put;
      const closed = await codeOf(db.close());
      const again = await window.stratadb.open('quota');
      const kept = again.scan({ gte: 'k', lt: 'l' }).length;
      await again.close();
      return { failed, later, readable, readOnly, closed, kept };
    });
    assert.deepEqual(result, {
      failed: 'QuotaExceeded',
      later: 'QuotaExceeded',
      readable: 'v49',
      readOnly: true,
      closed: 'QuotaExceeded',
      kept: 50,
    });
  });
});

eachEngine('compact() on an in-page handle sends its jobs to the compaction worker; reads and writes go on meanwhile', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      const db = await window.stratadb.open('compact-in-page', { memtableBytes: 64 * 1024, durability: 'deferred' });
      const model = new Map();
      for (let round = 0; round < 30; round++) {
        const batch = [];
        for (let i = 0; i < 400; i++) {
          const key = `k${String((round * 7919 + i * 31) % 5000).padStart(5, '0')}`;
          batch.push({ type: 'put', key, value: `r${round}-${'x'.repeat(100)}` });
          model.set(key, batch[batch.length - 1].value);
        }
        await db.batch(batch);
      }
      const manual = [];
      db.subscribe((e) => {
        if (e.type === 'compaction' && e.reason === 'manual') manual.push(`${e.phase} ${e.runner ?? ''}`.trim());
      });
      const sentBefore = db.stats().compactionJobs.sent;
      const compacting = db.compact();
      // Meanwhile: a write and a read, answered before the compaction ends.
      await db.put('during', 'compact');
      const readDuring = db.get('k00031');
      await compacting;
      // An automatic job (the write above) may still be out: let it come back.
      const stats = await window.statsOnceNoJobIsOut(db);
      let wrong = 0;
      for (const { key, value } of db.scan()) if (key !== 'during' && model.get(key) !== value) wrong++;
      await db.close();
      return {
        manual,
        sent: stats.compactionJobs.sent - sentBefore,
        runHere: stats.compactionJobs.runHere,
        installed: stats.compactionJobs.installed,
        storedByRunner: stats.compactionJobs.storedByRunner,
        // L0 may hold the write made meanwhile.
        nonEmptyLevels: stats.levels.slice(1).filter((l) => l.files > 0).length,
        readDuring: readDuring === model.get('k00031'),
        wrong,
      };
    });
    assert.ok(result.manual.includes('finished worker'), `no manual compaction finished in the worker: ${result.manual}`);
    assert.ok(!result.manual.some((e) => e.endsWith('here')), `a manual job ran in the page: ${result.manual}`);
    assert.ok(result.sent > 0);
    assert.equal(result.runHere, 0);
    // The worker stored every job's outputs in IndexedDB itself.
    assert.ok(result.installed > 0);
    assert.equal(result.storedByRunner, result.installed);
    assert.equal(result.nonEmptyLevels, 1, 'compact() left more than one level below L0');
    assert.equal(result.readDuring, true);
    assert.equal(result.wrong, 0);
  });
});

eachEngine('compactions run in the compaction worker and the data stays correct', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      const db = await window.stratadb.openInWorker('compacted', { memtableBytes: 64 * 1024 });
      const events = [];
      db.subscribe((e) => events.push(e));
      const model = new Map();
      for (let round = 0; round < 40; round++) {
        const batch = [];
        for (let i = 0; i < 500; i++) {
          const key = `k${String((round * 7919 + i * 31) % 6000).padStart(5, '0')}`;
          const value = `r${round}-${i}-${'x'.repeat(100)}`;
          batch.push({ type: 'put', key, value });
          model.set(key, value);
        }
        await db.batch(batch, { durable: false });
      }
      await db.sync();
      const stats = await window.statsOnceNoJobIsOut(db);
      const entries = await db.scan();
      let wrong = entries.length === model.size ? 0 : 1;
      for (const { key, value } of entries) if (model.get(key) !== value) wrong++;
      await db.close();
      const again = await window.stratadb.open('compacted');
      for (const { key, value } of again.scan()) if (model.get(key) !== value) wrong++;
      await again.close();
      const kinds = new Set(events.map((e) => `${e.type}${e.phase ? ` ${e.phase}` : ''}${e.runner ? ` ${e.runner}` : ''}`));
      return { jobs: stats.compactionJobs, compactions: stats.compactions, wrong, kinds: [...kinds].sort() };
    });
    for (const kind of ['compaction started', 'compaction progress', 'compaction finished worker', 'flush started', 'flush finished', 'table-created', 'table-deleted', 'wal-segment-closed', 'durable']) {
      assert.ok(result.kinds.includes(kind), `no '${kind}' event among ${result.kinds}`);
    }
    assert.equal(result.jobs.runner, 'worker');
    assert.ok(result.jobs.sent > 0, 'no job went to the compaction worker');
    assert.equal(result.jobs.runHere, 0);
    // The nested compaction worker stored the outputs; the reopened database read them.
    assert.equal(result.jobs.storedByRunner, result.jobs.installed);
    assert.ok(result.compactions >= result.jobs.installed);
    assert.equal(result.wrong, 0);
  });
});

eachEngine('big new files (a flushed table, a WAL segment) are stored by the ahead store worker, in the page and through openInWorker', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      const { stratadb } = window;
      const outcomes = {};
      for (const [name, open] of [
        ['ahead-page', stratadb.open],
        ['ahead-worker', stratadb.openInWorker],
      ]) {
        // 4,000 values of 150 random bytes in hex (compressed, at least
        // 600 KB), flushed as one table.
        const hex = (n) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');
        const value = (i) => `${i}:${hex(150)}`;
        const model = new Map();
        const db = await open(name, { memtableBytes: 4 << 20 });
        const durable = [];
        db.subscribe((e) => e.type === 'durable' && durable.push(e));
        // One batch: one WAL segment of ~1.2 MB, which sync() commits
        // (ahead), then flush()'s table (ahead).
        const batch = [];
        for (let i = 0; i < 4000; i++) {
          const key = `k${String(i).padStart(5, '0')}`;
          model.set(key, value(i));
          batch.push({ type: 'put', key, value: model.get(key) });
        }
        await db.batch(batch, { durable: false });
        await db.sync();
        await db.flush();
        const { commits } = await db.stats();
        await db.close();
        const again = await open(name);
        const entries = await again.scan();
        let wrong = entries.length === model.size ? 0 : 1;
        for (const { key, value: v } of entries) if (model.get(key) !== v) wrong++;
        await again.close();
        outcomes[name] = {
          ahead: commits.filesStoredAhead,
          inEvents: durable.reduce((n, e) => n + e.filesStoredAhead, 0),
          commitsAhead: durable.filter((e) => e.filesStoredAhead > 0).length,
          wrong,
        };
      }
      return outcomes;
    });
    for (const [name, outcome] of Object.entries(result)) {
      // sync()'s commit sent the segment, flush()'s the table.
      assert.ok(outcome.commitsAhead >= 2, `${name}: the segment and the table were not both stored ahead: ${JSON.stringify(outcome)}`);
      assert.equal(outcome.inEvents, outcome.ahead, `${name}: durable events disagree with the stats`);
      assert.equal(outcome.wrong, 0, `${name}: the reopened database differs`);
    }
  });
});

eachEngine('a closed database stores only the files its manifest names', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      const { stratadb } = window;
      // Batches of 500 keys: batch r holds keys 500r .. 500r+499.
      const write = async (db, first, rounds) => {
        for (let round = first; round < first + rounds; round++) {
          const batch = [];
          for (let i = 0; i < 500; i++) {
            batch.push({ type: 'put', key: `k${String(round * 500 + i).padStart(6, '0')}`, value: 'x'.repeat(120) });
          }
          await db.batch(batch, { durable: false });
          await new Promise((r) => setTimeout(r, 0)); // background work and the compaction worker go on
        }
      };
      // 20 batches of 500 keys spread over k000000 .. k099999: every table
      // they flush overlaps the whole database, so a real compaction (not a
      // move of a table down a level) must follow.
      const overwriteAcross = async (db, first) => {
        for (let round = first; round < first + 20; round++) {
          const batch = [];
          for (let i = 0; i < 500; i++) {
            batch.push({ type: 'put', key: `k${String(i * 200 + (round % 200)).padStart(6, '0')}`, value: 'y'.repeat(120) });
          }
          await db.batch(batch, { durable: false });
        }
      };
      const outcomes = {};
      // In the page, compactions in the worker: close as the first output of
      // a job of two or more is installed (from the event's listener,
      // mid-install).
      {
        const db = await stratadb.open('orphans-close', { memtableBytes: 64 * 1024 });
        let closing;
        let storedByRunner = 0;
        db.subscribe((e) => {
          if (!closing && e.type === 'compaction' && e.phase === 'progress' && e.step === 'output-installed' && e.total >= 2) {
            // The worker stored the job's outputs; close() must remove those not installed.
            storedByRunner = db.stats().compactionJobs.storedByRunner;
            closing = db.close();
          }
        });
        await write(db, 0, 20); // k000000 .. k009999
        for (let round = 0; round < 400 && !closing; round++) {
          // Overwrites spread over those keys: every table flushed overlaps
          // them all, so a compaction rewrites them into several tables. A
          // write stalled when close() comes is refused (Closed).
          const batch = [];
          for (let i = 0; i < 500; i++) {
            batch.push({ type: 'put', key: `k${String(i * 20 + (round % 20)).padStart(6, '0')}`, value: 'z'.repeat(120) });
          }
          await db.batch(batch, { durable: false }).catch((e) => {
            if (!closing || e.code !== 'Closed') throw e;
          });
        }
        await closing;
        outcomes.closeAtOutput = { closed: closing !== undefined, storedByRunner, ...(await window.storedLayout('orphans-close')) };
      }
      // Through openInWorker: 100,000 entries, read fully while compactions
      // replace the tables being read, then closed.
      {
        const db = await stratadb.openInWorker('orphans-read', { memtableBytes: 256 * 1024 });
        await write(db, 0, 200);
        await db.sync();
        const compactionsBefore = (await db.stats()).compactions;
        let read = 0;
        const it = db.iterator();
        for (let e = await it.next(); !e.done; e = await it.next()) {
          if (read++ % 20000 !== 0) continue;
          // The read goes on once a compaction has finished after the
          // overwrites (a compaction worker may take seconds to start).
          const before = (await db.stats()).compactions;
          await overwriteAcross(db, read / 1000);
          for (let i = 0; i < 500 && (await db.stats()).compactions === before; i++) await new Promise((r) => setTimeout(r, 20));
        }
        const stats = await db.stats();
        await db.close();
        outcomes.readThenClose = { read, compactions: stats.compactions - compactionsBefore, ...(await window.storedLayout('orphans-read')) };
      }
      return outcomes;
    });
    assert.ok(result.closeAtOutput.closed, 'no compaction output was ever installed');
    assert.ok(result.closeAtOutput.storedByRunner > 0, 'the compaction worker stored no outputs itself');
    assert.deepEqual(result.closeAtOutput.problems, []);
    assert.ok(result.closeAtOutput.tables > 0);
    assert.equal(result.readThenClose.read, 100000);
    assert.ok(result.readThenClose.compactions >= 5, `${result.readThenClose.compactions} compactions during the read, not one after each of the 5 overwrites`);
    assert.deepEqual(result.readThenClose.problems, []);
  });
});

eachEngine('a compaction worker that does not answer in time: the job runs here, nothing is lost', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const page = await apiPage(browser);
    const result = await page.evaluate(async () => {
      // Every job "times out" at once: as if the worker had been killed.
      window.stratadb.WorkerCompactionRunner.timeoutMs = { base: 0, perMiB: 0 };
      const db = await window.stratadb.open('unanswered', { memtableBytes: 64 * 1024 });
      const model = new Map();
      for (let round = 0; round < 30; round++) {
        const batch = [];
        for (let i = 0; i < 500; i++) {
          const key = `k${String((round * 7919 + i * 31) % 5000).padStart(5, '0')}`;
          batch.push({ type: 'put', key, value: `r${round}-${'y'.repeat(100)}` });
          model.set(key, `r${round}-${'y'.repeat(100)}`);
        }
        await db.batch(batch);
        await new Promise((r) => setTimeout(r, 0));
      }
      for (let i = 0; i < 100 && db.stats().compactionJobs.runHere === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const jobs = db.stats().compactionJobs;
      await db.close();
      const again = await window.stratadb.open('unanswered');
      let wrong = again.scan().length === model.size ? 0 : 1;
      for (const { key, value } of again.scan()) if (model.get(key) !== value) wrong++;
      await again.close();
      return { jobs, wrong };
    });
    assert.ok(result.jobs.runHere > 0, JSON.stringify(result.jobs));
    assert.equal(result.jobs.installed, 0);
    assert.equal(result.wrong, 0);
  });
});

eachEngine('openInWorker serves the whole API from a database worker; the uncaught error of a failing worker is captured', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const r = await resultOf(await browser.newPage(), `${server.url}/test-browser/pages/worker-client.html`);
    // The page makes its database worker throw (an uncaught error there):
    // the driver captures it in every engine, and nothing else.
    await waitUntil(() => browser.errors.length > 0, 10_000, 'the worker\'s uncaught error to be captured');
    const [error, ...others] = browser.errors;
    assert.match(error, /^worker uncaught \(\/dist\/db-worker\.js\): TypeError/, error);
    assert.deepEqual(others, []);
    browser.clearErrors();
    assert.deepEqual(r, {
      get: 'v42',
      missing: undefined,
      binary: [0, 255],
      scanCount: 4999,
      atSnapshot: 'v1',
      now: 'changed',
      iterated: 4999,
      afterSeek: 'k02000',
      badKey: 'InvalidArgument',
      unknownOption: 'InvalidArgument',
      uncloneable: 'InvalidArgument',
      flushes: true,
      metrics: true,
      afterClose: 'Closed',
      reopened: 5000,
      pendingOnCrash: 'IOError',
      afterCrash: 'IOError',
    });
  });
});

eachEngine('the package runs in a module Web Worker', async (engine) => {
  await withBrowser(engine, async (browser) => {
    const result = await resultOf(await browser.newPage(), `${server.url}/test-browser/pages/worker.html`);
    assert.deepEqual(result.entries, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    assert.equal(result.badKeyCode, 'InvalidArgument');
  });
});

// The app is built once; every engine runs it.
let viteApp;
const builtViteApp = () =>
  (viteApp ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'strata-vite-app-'));
    await build({
      root: join(packageRoot, 'test-browser/vite-app'),
      logLevel: 'error',
      resolve: { alias: { stratadb: join(packageRoot, 'dist/index.js') } },
      build: { outDir, emptyOutDir: true },
    });
    return { outDir, assets: readdirSync(join(outDir, 'assets')) };
  })());

eachEngine('a Vite build of an app importing stratadb emits the wasm and runs', async (engine) => {
  const { outDir, assets } = await builtViteApp();
  assert.ok(
    assets.some((f) => f.endsWith('.wasm')),
    `no .wasm among ${assets.join(', ')}`,
  );
  const app = await serve(outDir);
  try {
    await withBrowser(engine, async (browser) => {
      const result = await resultOf(await browser.newPage(), `${app.url}/index.html`);
      assert.deepEqual(result, { value: 'vite', workerValue: 'worker' });
    });
  } finally {
    await app.close();
  }
});

// The API contract (test/contract-checks.js, as Node runs it in
// test/contract.test.ts) against both handles in each engine, through a
// real database worker: one page runs every check, each reported as a test.
const contractRuns = new Map();
const contractResults = (engine) => {
  if (!contractRuns.has(engine)) {
    contractRuns.set(
      engine,
      withBrowser(engine, async (browser) => {
        const page = await browser.newPage();
        await page.goto(`${server.url}/test-browser/pages/contract.html`);
        await page.waitForFunction(() => window.testResult !== undefined, null, { timeout: 300_000 });
        return page.evaluate(() => window.testResult);
      }),
    );
  }
  return contractRuns.get(engine);
};
for (const engine of BROWSERS) {
  for (const kind of ['in-thread', 'worker']) {
    for (const { name } of contractChecks({ name: () => '' })) {
      test(`contract (${kind} handle): ${name} [${engine}]`, { timeout: 300_000 }, async () => {
        const outcome = (await contractResults(engine))[kind][name];
        assert.equal(outcome, null, outcome);
      });
    }
  }
}
