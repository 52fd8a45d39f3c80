// Runs a benchmark page (bench/browser/<page>.html) in headless Chromium,
// served from wasm/ on 127.0.0.1 cross-origin isolated (for a 5 us clock),
// and resolves to the window.benchResults it sets. Command-line flags --name=value become its query string.
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { serve } from './serve.mjs';
import { exposeTaskTrace } from './task-trace.mjs';

/** Number flags --name=value from argv, with defaults. */
export function numberFlags(defaults) {
  const flags = { ...defaults };
  for (const arg of process.argv.slice(2)) {
    const [, name, value] = arg.match(/^--([a-z]+)=(.*)$/) ?? [];
    if (!name || !(name in defaults)) throw new Error(`unknown flag ${arg}; flags: ${Object.keys(defaults).join(', ')}`);
    flags[name] = Number(value);
  }
  return flags;
}

/**
 * Resolves to { version, results } of the page run with the query. With
 * taskTrace, the page can trace its main thread's tasks (task-trace.mjs),
 * with sampleCode what they ran too.
 */
export async function runPage(page, query, timeout = 900_000, { taskTrace = false, sampleCode = false } = {}) {
  const root = fileURLToPath(new URL('../../', import.meta.url)); // wasm/
  const server = await serve(root, { crossOriginIsolated: true });
  const browser = await launchChromium();
  try {
    const tab = await browser.context.newPage();
    if (taskTrace) await exposeTaskTrace(tab, { sampleCode });
    await tab.goto(`${server.url}/bench/browser/${page}.html?${new URLSearchParams(query)}`);
    // Polled by a timer: Playwright's default polls every animation frame,
    // which made the measured page lay out and commit frames (tasks of up
    // to 29 ms in a trace of compact-pause-bench).
    await tab.waitForFunction(() => window.benchResults !== undefined, null, { timeout, polling: 500 });
    const results = await tab.evaluate(() => window.benchResults);
    if (results.error) throw new Error(results.error);
    if (!(await tab.evaluate(() => crossOriginIsolated))) throw new Error('the page is not cross-origin isolated');
    return { version: browser.context.browser()?.version() ?? '', results };
  } finally {
    await browser.close();
    await server.close();
  }
}
