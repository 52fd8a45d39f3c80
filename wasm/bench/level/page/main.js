// The Level benchmark in a browser (browser.mjs bundles and runs it): the
// same abstract-level calls (workload.js) on stratadb/level in-thread and
// in the host worker over IndexedDB, browser-level (IndexedDB), and
// stratadb/level and memory-level in memory. Results in window.benchResults.
import { BrowserLevel } from 'browser-level';
import { MemoryLevel } from 'memory-level';
import { StrataLevel, StrataWorkerLevel } from 'stratadb/level';
import { compare } from '../workload.js';

const query = Object.fromEntries(new URLSearchParams(location.search));
const flags = { rounds: Number(query.rounds), keys: Number(query.keys), gets: Number(query.gets) };
const run = Date.now().toString(36);
let n = 0;
const name = () => `level-bench-${run}-${n++}`;

compare(
  {
    'stratadb/level, IndexedDB': () => new StrataLevel(name()),
    'stratadb/level in the host worker, IndexedDB': () => new StrataWorkerLevel(name()),
    'browser-level, IndexedDB': () => new BrowserLevel(name()),
    'stratadb/level, memory': () => new StrataLevel(name(), { storage: 'memory', keepOnClose: false }),
    'memory-level': () => new MemoryLevel(),
  },
  flags,
).then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
