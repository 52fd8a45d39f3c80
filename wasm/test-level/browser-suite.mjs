// Runs abstract-level 3's compliance suite against stratadb/level in a real
// browser (test-level/browser/, bundled by Vite) and prints its TAP, for
// scripts/test.sh to count:
//
//   node test-level/browser-suite.mjs chromium indexeddb
//   node test-level/browser-suite.mjs firefox worker
//
// Exits non-zero if any assertion fails, the page reports an error outside
// the suite, or the run does not end within STRATA_LEVEL_SUITE_TIMEOUT_MS
// (default 15 minutes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundlePage } from '../bench/browser/bundle.mjs';
import { serve } from '../bench/browser/serve.mjs';
import { ENGINES, launch } from '../test-browser/browsers.mjs';

const [engine, setting] = process.argv.slice(2);
const SETTINGS = ['indexeddb', 'worker'];
if (!ENGINES.includes(engine) || !SETTINGS.includes(setting)) {
  console.error(`browser-suite.mjs: error: usage: node test-level/browser-suite.mjs <${ENGINES.join('|')}> <${SETTINGS.join('|')}>`);
  process.exit(2);
}
const timeout = Number(process.env.STRATA_LEVEL_SUITE_TIMEOUT_MS ?? 15 * 60_000);

const outDir = mkdtempSync(join(tmpdir(), 'strata-level-suite-'));
let server;
let browser;
let ok = false;
try {
  await bundlePage('test-level/browser', outDir);
  server = await serve(outDir);
  browser = await launch(engine, { profile: mkdtempSync(join(outDir, 'profile-')) });
  const page = await browser.newPage();
  await page.goto(`${server.url}/index.html?setting=${setting}`);
  // Prints the TAP as it comes, until the suite ends.
  let printed = 0;
  for (const end = Date.now() + timeout; ; ) {
    const { lines, done } = await page.evaluate((from) => ({ lines: window.tapLines?.slice(from) ?? [], done: window.tapDone === true }), printed);
    for (const line of lines) console.log(line);
    printed += lines.length;
    if (done) break;
    if (browser.errors.length > 0 && printed === 0) throw new Error(`the page failed:\n${browser.errors.join('\n')}`);
    if (Date.now() > end) throw new Error(`the suite did not end within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const errors = browser.errors;
  if (errors.length > 0) throw new Error(`errors in the page or its workers:\n${errors.join('\n')}`);
  ok = true;
} catch (e) {
  console.error(`browser-suite.mjs: error: ${engine} ${setting}: ${e?.message ?? e}`);
} finally {
  await browser?.close();
  await server?.close();
  rmSync(outDir, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
