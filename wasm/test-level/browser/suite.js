// abstract-level 3's compliance suite against stratadb/level in a browser,
// bundled by Vite (test-level/browser-suite.mjs builds and drives it).
// ?setting=indexeddb: StrataLevel on the page's IndexedDB; ?setting=worker:
// StrataWorkerLevel, each database in a dedicated Web Worker. The TAP
// output collects in window.tapLines; window.tapDone is set at the end.
import test from 'tape';
import suite from 'abstract-level/test/index.js';
import { StrataLevel, StrataWorkerLevel } from 'stratadb/level';

const setting = new URLSearchParams(location.search).get('setting');
const Level = { indexeddb: StrataLevel, worker: StrataWorkerLevel }[setting];
window.tapLines = [];
window.tapDone = false;

test.createStream().on('data', (text) => window.tapLines.push(...text.replace(/\n$/, '').split('\n')));
test.onFinish(() => (window.tapDone = true));

if (!Level) {
  test('setting', (t) => t.fail(`unknown setting ${setting}`));
} else {
  // Names of this run only: a profile may keep the last run's databases.
  const run = Date.now().toString(36);
  let count = 0;
  suite({ test, factory: (options) => new Level(`level-suite-${run}-${count++}`, options) });
}
