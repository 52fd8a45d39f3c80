// Launches each test browser once and loads a page, so that scripts/test.sh
// can tell "a browser does not start" (one line per engine naming the
// cause) from a failing browser test.
//
//   node test-browser/launch-check.mjs [engine...]   (default: STRATA_BROWSERS, or all three)
//
// Prints "browser: <engine> <version>" for each that works and
// "browser: error: <Engine> (<executable>) did not launch: <cause>" for each
// that does not; exits 0 when all work.
import { BROWSERS, ENGINE_NAMES, EXECUTABLES, launch } from './browsers.mjs';

const engines = process.argv.length > 2 ? process.argv.slice(2) : BROWSERS;
let failed = 0;
for (const engine of engines) {
  try {
    const browser = await launch(engine);
    try {
      const page = await browser.newPage();
      await page.goto('about:blank');
      if ((await page.evaluate(() => 6 * 7)) !== 42) throw new Error('a script in the page did not run');
      console.log(`browser: ${engine} ${browser.version}`);
    } finally {
      await browser.close();
    }
  } catch (error) {
    failed++;
    const cause = String(error?.message ?? error).split('\n').find((line) => line.trim()) ?? 'unknown';
    console.error(`browser: error: ${ENGINE_NAMES[engine] ?? engine} (${EXECUTABLES[engine] ?? '?'}) did not launch: ${cause}`);
  }
}
process.exit(failed ? 1 : 0);
