// Launches the test browser once and loads a page, so that scripts/test.sh
// can tell "the browser does not start" (one line naming the cause) from a
// failing browser test. Exits 0 when it works.
import { launchChromium } from '../bench/browser/chromium.mjs';

try {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto('about:blank');
  } finally {
    await browser.close();
  }
} catch (error) {
  const cause = String(error?.message ?? error).split('\n').find((line) => line.trim()) ?? 'unknown';
  console.error(`browser: error: Chromium (${process.env.CHROMIUM ?? '/usr/bin/chromium'}) did not launch: ${cause}`);
  process.exit(1);
}
