// How long does the page's thread stop during a compact() of a large
// database opened in the page (open(), not openInWorker)? The database is
// filled to --mb megabytes of values, then compact() of everything runs
// while a MessageChannel ping loop measures the longest gap between two of
// its turns: the longest time the thread could not answer. Once with the
// compaction worker (compaction: 'worker', the default in a browser), once
// with compactions inline in the page's own instance. Results land in
// window.benchResults for compact-pause-bench.mjs.
import { destroy, open } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const MB = Number(params.get('mb') ?? 100);
const VALUE = 'v'.repeat(100);
const KEYS = Math.round((MB * 1024 * 1024) / VALUE.length);

/** Runs fn while measuring the longest gap between turns of this thread's event loop. */
async function longestGap(fn) {
  const { port1, port2 } = new MessageChannel();
  let last = performance.now();
  let longest = 0;
  let running = true;
  port1.onmessage = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) port2.postMessage(0);
  };
  port2.postMessage(0);
  const start = performance.now();
  try {
    await fn();
  } finally {
    running = false;
    port1.close();
  }
  return { longestMs: longest, totalMs: performance.now() - start };
}

async function run(compaction) {
  const name = `compact-pause-${compaction}`;
  await destroy(name);
  const db = await open(name, { compaction, durability: 'deferred' });
  // Keys in a scrambled order, so that every level overlaps every other.
  for (let i = 0; i < KEYS; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(KEYS, i + 1000); j++) {
      const scrambled = (Math.imul(j, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
      batch.push({ type: 'put', key: `${scrambled}-${j}`, value: VALUE });
    }
    await db.batch(batch);
  }
  await db.flush();
  const jobs = [];
  db.subscribe((e) => {
    if (e.type === 'compaction' && e.phase === 'finished' && e.reason === 'manual') jobs.push(e.runner);
  });
  const before = db.stats();
  window.benchPhase = `compact ${compaction}`;
  const { longestMs, totalMs } = await longestGap(() => db.compact());
  window.benchPhase = undefined;
  const after = db.stats();
  const tables = after.levels.map((l) => l.files).join('/');
  const sample = db.get(`${(Math.imul(7, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}-7`);
  await db.close();
  await destroy(name);
  if (sample !== VALUE) throw new Error('a key was lost');
  return {
    compaction,
    keys: KEYS,
    storedMB: +(before.levels.reduce((n, l) => n + l.bytes, 0) / 2 ** 20).toFixed(1),
    compactSeconds: +(totalMs / 1000).toFixed(1),
    longestPauseMs: +longestMs.toFixed(1),
    manualJobs: jobs.length,
    jobsByRunner: jobs.reduce((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {}),
    filesPerLevel: tables,
  };
}

(async () => {
  const results = [];
  for (const compaction of ['worker', 'inline']) results.push(await run(compaction));
  return results;
})().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
