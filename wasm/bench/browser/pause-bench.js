// How long can the database worker stop answering while it compacts? A
// continuous write load (one writer awaiting each put, as an app's UI
// would) runs against openInWorker() for a fixed time over a database big
// enough that compactions are large, once with compactions in the
// compaction worker and once inline in the database worker. The longest
// request round trip is the longest pause. Results land in
// window.benchResults for the runner (pause-bench.mjs).
import { destroy, openInWorker } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const PRELOAD = Number(params.get('preload') ?? 200_000);
const SECONDS = Number(params.get('seconds') ?? 10);
const VALUE = 'v'.repeat(100);
const key = (i) => `key${String(i).padStart(10, '0')}`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function run(compaction) {
  const name = `pause-${compaction}`;
  await destroy(name);
  const db = await openInWorker(name, { compaction, durability: 'deferred', memtableBytes: 1 << 20 });
  // Preload in random order, so that L1 and below are large.
  for (let i = 0; i < PRELOAD; i += 1000) {
    const batch = [];
    for (let j = 0; j < 1000; j++) batch.push({ type: 'put', key: key((i + j) * 7919 % PRELOAD), value: VALUE });
    await db.batch(batch);
  }
  await db.sync();
  let maxFlushMs = 0; // a flush from its start to its end: its steps and the tasks between them
  let stalls = 0;
  db.subscribe((e) => {
    if (e.type === 'flush' && e.phase === 'finished') maxFlushMs = Math.max(maxFlushMs, e.micros / 1000);
    if (e.type === 'write-stall' && e.stalled) stalls++;
  });
  const before = await db.stats();
  const latencies = [];
  const start = performance.now();
  let i = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const t = performance.now();
    await db.put(key((i++ * 104729) % (PRELOAD * 2)), VALUE);
    latencies.push(performance.now() - t);
  }
  await db.sync();
  const after = await db.stats();
  await db.close();
  latencies.sort((a, b) => a - b);
  return {
    compaction,
    puts: latencies.length,
    putsPerSec: Math.round(latencies.length / SECONDS),
    p50Ms: +percentile(latencies, 50).toFixed(3),
    p99Ms: +percentile(latencies, 99).toFixed(2),
    maxPauseMs: +latencies.at(-1).toFixed(1),
    longestFlushMs: +maxFlushMs.toFixed(1),
    over16ms: latencies.filter((l) => l > 16).length,
    writeStalls: stalls,
    compactions: after.compactions - before.compactions,
    compactionBytesWritten: after.compactionBytesWritten - before.compactionBytesWritten,
    flushes: after.flushes - before.flushes,
    jobsInWorker: after.compactionJobs.installed - before.compactionJobs.installed,
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
