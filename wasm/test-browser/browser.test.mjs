// Real-browser tests of the package in headless Chromium (node --test):
// persistence across a reload and across a browser restart (real IndexedDB
// through IDBFS), one writer per database (Web Locks), the package in a
// module Web Worker, and a Vite build of an app that imports it. Pages are served from wasm/ on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../bench/browser/chromium.mjs';
import { serve } from '../bench/browser/serve.mjs';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
let server;
let profile;

before(async () => {
  server = await serve(packageRoot);
  profile = mkdtempSync(join(tmpdir(), 'strata-browser-test-'));
});

after(async () => {
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A browser on the shared profile (so IndexedDB outlives each launch). */
function launch() {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
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

test('durable writes survive a page reload and a browser restart', async () => {
  let context = await launch();
  try {
    const page = await context.newPage();
    await resultOf(page, `${server.url}/test-browser/pages/persist.html?phase=write`);
    // A reload drops the wasm instance without close(): a crash, to it.
    expectPersisted(await resultOf(page, `${server.url}/test-browser/pages/persist.html?phase=read`));
  } finally {
    await context.close();
  }
  context = await launch();
  try {
    const page = await context.newPage();
    expectPersisted(await resultOf(page, `${server.url}/test-browser/pages/persist.html?phase=read`));
  } finally {
    await context.close();
  }
});

test('a second opener of an open database gets Busy (Web Locks), until it closes', async () => {
  const context = await launch();
  try {
    const result = await resultOf(await context.newPage(), `${server.url}/test-browser/pages/locks.html`);
    assert.deepEqual(result, { secondOpen: 'Busy', destroyWhileOpen: 'Busy', value: 'from a' });
  } finally {
    await context.close();
  }
});

test('openInWorker serves the whole API from a database worker', async () => {
  const context = await launch();
  try {
    const r = await resultOf(await context.newPage(), `${server.url}/test-browser/pages/worker-client.html`);
    assert.deepEqual(r, {
      get: 'v42',
      missing: undefined,
      binary: [0, 255],
      scanCount: 4999,
      atSnapshot: 'v1',
      now: 'changed',
      iterated: 4999,
      afterSeek: 'k02000',
      emptyKey: 'InvalidArgument',
      unknownOption: 'InvalidArgument',
      uncloneable: 'InvalidArgument',
      flushes: true,
      metrics: true,
      afterClose: 'Closed',
      reopened: 5000,
      pendingOnCrash: 'IOError',
      afterCrash: 'IOError',
    });
  } finally {
    await context.close();
  }
});

test('the package runs in a module Web Worker', async () => {
  const context = await launch();
  try {
    const result = await resultOf(await context.newPage(), `${server.url}/test-browser/pages/worker.html`);
    assert.deepEqual(result.entries, [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    assert.equal(result.emptyKeyCode, 'InvalidArgument');
  } finally {
    await context.close();
  }
});

test('a Vite build of an app importing stratadb emits the wasm and runs', async () => {
  const outDir = mkdtempSync(join(tmpdir(), 'strata-vite-app-'));
  try {
    await build({
      root: join(packageRoot, 'test-browser/vite-app'),
      logLevel: 'error',
      resolve: { alias: { stratadb: join(packageRoot, 'dist/index.js') } },
      build: { outDir, emptyOutDir: true },
    });
    const assets = readdirSync(join(outDir, 'assets'));
    assert.ok(
      assets.some((f) => f.endsWith('.wasm')),
      `no .wasm among ${assets.join(', ')}`,
    );
    const app = await serve(outDir);
    const context = await launch();
    try {
      const result = await resultOf(await context.newPage(), `${app.url}/index.html`);
      assert.deepEqual(result, { value: 'vite', workerValue: 'worker' });
    } finally {
      await context.close();
      await app.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
});
