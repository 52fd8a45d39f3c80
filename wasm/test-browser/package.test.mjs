// The package as a user gets it: `npm pack` of wasm/, installed into a fresh
// app (test-browser/packed-app, copied to a temporary directory) with npm,
// built by that app's own Vite, and run in each browser: both entry points
// (stratadb and stratadb/level), in-thread, in a worker and in the host
// worker. Also checks what the tarball holds.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '../bench/browser/serve.mjs';
import { BROWSERS, ENGINE_NAMES, launch } from './browsers.mjs';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const viteVersion = createRequire(import.meta.url)('vite/package.json').version;
let work;
let app; // { files, outDir }

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });

before(() => {
  work = mkdtempSync(join(tmpdir(), 'strata-packed-'));
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], packageRoot))[0];
  const appDir = join(work, 'app');
  cpSync(join(packageRoot, 'test-browser/packed-app'), appDir, { recursive: true });
  writeFileSync(
    join(appDir, 'package.json'),
    JSON.stringify({
      name: 'packed-app',
      private: true,
      type: 'module',
      dependencies: { stratadb: `file:${join(work, packed.filename)}` },
      devDependencies: { vite: viteVersion },
    }),
  );
  // From npm's cache where it can: the same versions wasm/ installed.
  npm(['install', '--prefer-offline'], appDir);
  execFileSync(join(appDir, 'node_modules/.bin/vite'), ['build', '--logLevel', 'error'], { cwd: appDir, encoding: 'utf8' });
  app = { files: packed.files.map((f) => f.path), outDir: join(appDir, 'dist') };
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the built package, both entry points and the README, no tests or sources', () => {
  for (const file of ['package.json', 'README.md', 'dist/index.js', 'dist/node.js', 'dist/strata.wasm', 'dist/level/index.js', 'dist/level/node.js', 'dist/level/index.d.ts']) {
    assert.ok(app.files.includes(file), `${file} is not in the tarball`);
  }
  assert.deepEqual(app.files.filter((f) => /^(test|src|bench)/.test(f)), []);
  assert.ok(readdirSync(join(app.outDir, 'assets')).some((f) => f.endsWith('.wasm')), 'the app build emitted no .wasm');
});

for (const engine of BROWSERS) {
  test(`a fresh Vite app uses the packed stratadb and stratadb/level [${engine}]`, { timeout: 300_000 }, async () => {
    const server = await serve(app.outDir);
    const browser = await launch(engine, { profile: mkdtempSync(join(work, `${engine}-`)) });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => window.testResult !== undefined, null, { timeout: 120_000 });
      const result = await page.evaluate(() => window.testResult);
      assert.equal(result.error, undefined, result.error);
      assert.deepEqual(result, {
        inThread: 'stratadb',
        inWorker: 'worker',
        inHostWorker: 'host',
        level: {
          sync: { n: 10 },
          snapshot: { n: 1 },
          entries: [
            ['a', { n: 10 }],
            ['b', { n: 2 }],
          ],
          sublevel: ['!users!ada', 'a', 'b'],
        },
        workerLevel: 'v',
      });
      assert.deepEqual(browser.errors, [], `errors in ${ENGINE_NAMES[engine]}'s pages or workers`);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
