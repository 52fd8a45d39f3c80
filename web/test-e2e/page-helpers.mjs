// What both dashboard e2e suites do with a page (any engine's driver,
// wasm/test-browser/browsers.mjs): wait for a database, switch tool tabs,
// read elements, type console commands.

/** Waits until `name` (or, without one, any database) is open and its stats are in. */
export async function waitOpen(page, name) {
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

/** Shows the tool tab `id`. */
export async function tab(page, id) {
  await page.click(`#tab-${id}`);
  await page.waitForSelector(`#tool-${id}:not([hidden])`);
}

/** The text of the first element selector matches ('' if none). */
export const text = (page, selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);
/** The text of every element selector matches. */
export const texts = (page, selector) => page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.textContent ?? ''), selector);
export const count = (page, selector) => page.evaluate((s) => document.querySelectorAll(s).length, selector);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Types a console command; resolves to the lines it printed, its echo first. */
export async function consoleLines(page, command) {
  const before = await count(page, '#console-output .console-line');
  await page.fill('#console-input', command);
  await page.press('#console-input', 'Enter');
  // The command echo plus at least one answer line, and the input free again.
  await page.waitForFunction((n) => document.querySelectorAll('#console-output .console-line').length >= n + 2, before, { timeout: 30_000 });
  await page.waitForFunction(() => !document.getElementById('console-input').disabled);
  return (await texts(page, '#console-output .console-line')).slice(before);
}
