// How long does the page's thread stop during a compact() of a large
// database opened in the page (open(), not openInWorker)? The database is
// filled to --mb megabytes of values (--random=1: random characters), then
// compact() of everything runs while a probe on the page's thread measures
// the longest time it could not run, in one of two ways:
// - timer: the thread sleeps between turns of a 4 ms timer (a page that
//   animates or polls); the longest delay of a turn past its 4 ms is the
//   longest time the page could not paint or answer.
// - busy: the thread never sleeps (a MessageChannel ping loop, a page busy
//   computing); the longest gap between two turns also holds the time the
//   OS gave its core to other threads: on 2 cores the compaction worker and
//   the browser's IndexedDB writer compete with it.
// With the compaction worker (compaction: 'worker', the default in a
// browser) under both probes, then with compactions inline in the page's own
// instance; first, the machine's floor: both probes for --floor seconds
// (default 8) with no database, idle and with a worker spinning; then
// flush() of a memtable of --flushmb megabytes (default 3) under both probes.
// Results land in window.benchResults for compact-pause-bench.mjs.
import { destroy, open } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const MB = Number(params.get('mb') ?? 100);
// Values of 100 characters: one repeated (random=0: they compress to almost
// nothing, in the engine's zlib and in the browser's IndexedDB alike), or
// random ones of 64 (random=1: as compressible as base64 of random bytes).
const RANDOM = params.get('random') === '1';
const VALUE_SIZE = 100;
const FLOOR_SECONDS = Number(params.get('floor') ?? 8); // how long each floor probe runs
const FLUSH_MB = Number(params.get('flushmb') ?? 3); // the memtable flush() writes
const KEYS = Math.round((MB * 1024 * 1024) / VALUE_SIZE);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function valueOf(j) {
  if (!RANDOM) return 'v'.repeat(VALUE_SIZE);
  let x = Math.imul(j + 1, 0x9e3779b1) | 1;
  let value = '';
  for (let i = 0; i < VALUE_SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    value += ALPHABET[(x >>> 7) & 63];
  }
  return value;
}
const TIMER_MS = 4;

/**
 * Runs fn while the probe measures the longest time this thread could not
 * take a turn. Under the timer probe the page's tasks are traced meanwhile:
 * the longest one's wall time and its time on a core, beside the timer's
 * figure, which also holds the time the thread waited for a core with no
 * task of its own. The busy probe's tasks would be hundreds of thousands:
 * under it only the garbage collectors are traced, for their time within
 * its longest gap.
 */
async function longestPause(probe, fn) {
  const traced = typeof window.benchTrace === 'function';
  if (traced) {
    await window.benchTrace('start', probe === 'timer' ? 'tasks' : 'collections');
    // Whatever tracing starts in the page's next tasks (V8's profiler, when
    // sampling: tens of ms) runs before the first task measured.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { port1, port2 } = new MessageChannel();
  let last = performance.now();
  let longest = 0;
  let gap = { from: last, to: last }; // the longest's
  let running = true;
  const turn = () => {
    const now = performance.now();
    const pause = now - last - (probe === 'timer' ? TIMER_MS : 0);
    if (pause > longest) {
      longest = pause;
      gap = { from: last, to: now };
    }
    last = now;
    if (!running) return;
    if (probe === 'timer') setTimeout(turn, TIMER_MS);
    else port2.postMessage(0);
  };
  port1.onmessage = turn;
  turn();
  const { startTime } = performance.mark('measured-start');
  try {
    await fn();
  } finally {
    performance.mark('measured-end');
    running = false;
    port1.close();
  }
  const totalMs = performance.now() - startTime;
  const within = { fromMs: gap.from - startTime, toMs: gap.to - startTime };
  const tasks = traced ? await window.benchTrace('stop', 'measured', within) : undefined;
  return { longestMs: longest, totalMs, tasks };
}

/** The columns of a run's trace. */
function taskColumns(tasks) {
  if (!tasks) return {};
  if ('gcMs' in tasks) return { gapGcMs: tasks.gcMs }; // the busy probe's
  return {
    longestTaskMs: tasks.longestMs,
    itsCpuMs: tasks.longestThreadMs,
    itsGcMs: tasks.longestGcMs,
    mostCpuMs: tasks.mostThreadMs,
    ...(tasks.busiestRan !== undefined && { busiestRan: tasks.busiestRan }),
    tasksOver16: tasks.over16,
  };
}

async function run(compaction, probe) {
  const name = `compact-pause-${compaction}`;
  await destroy(name);
  const db = await open(name, { compaction, durability: 'deferred' });
  // Keys in a scrambled order, so that every level overlaps every other.
  for (let i = 0; i < KEYS; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(KEYS, i + 1000); j++) {
      const scrambled = (Math.imul(j, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
      batch.push({ type: 'put', key: `${scrambled}-${j}`, value: valueOf(j) });
    }
    await db.batch(batch);
  }
  await db.flush();
  const jobs = [];
  db.subscribe((e) => {
    if (e.type === 'compaction' && e.phase === 'finished' && e.reason === 'manual') jobs.push(e.runner);
  });
  const before = db.stats();
  const { longestMs, totalMs, tasks } = await longestPause(probe, () => db.compact());
  const after = db.stats();
  const tables = after.levels.map((l) => l.files).join('/');
  const sample = db.get(`${(Math.imul(7, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}-7`);
  await db.close();
  await destroy(name);
  if (sample !== valueOf(7)) throw new Error('a key was lost');
  return {
    compaction,
    probe,
    values: RANDOM ? 'random' : 'repeated',
    keys: KEYS,
    storedMB: +(before.levels.reduce((n, l) => n + l.bytes, 0) / 2 ** 20).toFixed(1),
    compactSeconds: +(totalMs / 1000).toFixed(1),
    longestPauseMs: +longestMs.toFixed(1),
    ...taskColumns(tasks),
    manualJobs: jobs.length,
    jobsByRunner: jobs.reduce((m, r) => ({ ...m, [r]: (m[r] ?? 0) + 1 }), {}),
    filesPerLevel: tables,
  };
}

/**
 * flush() of a memtable of --flushmb megabytes written just before, in a
 * fresh database: the engine writes it a step per task.
 */
async function flushRun(probe) {
  const name = 'compact-pause-flush';
  await destroy(name);
  const db = await open(name, { durability: 'deferred', memtableBytes: 8 << 20 });
  const keys = Math.round((FLUSH_MB * 1024 * 1024) / VALUE_SIZE);
  for (let i = 0; i < keys; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(keys, i + 1000); j++) batch.push({ type: 'put', key: `${(Math.imul(j, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}-${j}`, value: valueOf(j) });
    await db.batch(batch);
  }
  // The writes' own commit (one WAL segment of the whole memtable) before,
  // not on the deferred timer during flush().
  await db.sync();
  const before = db.stats();
  const { longestMs, totalMs, tasks } = await longestPause(probe, () => db.flush());
  const after = db.stats();
  await db.close();
  await destroy(name);
  if (before.flushes !== 0 || after.flushes !== 1) throw new Error(`flushes: ${before.flushes} before, ${after.flushes} after`);
  return {
    compaction: `flush() of ${(before.memtableBytes / 2 ** 20).toFixed(1)} MiB`,
    probe,
    values: RANDOM ? 'random' : 'repeated',
    keys,
    compactSeconds: +(totalMs / 1000).toFixed(2),
    longestPauseMs: +longestMs.toFixed(1),
    ...taskColumns(tasks),
  };
}

/**
 * The machine's floor: the probe with no database at all, idle or while a
 * worker spins on one core (the load of a compaction worker, without
 * IndexedDB's): pauses this long are not the database's. Run first, before
 * any database work leaves garbage to collect.
 */
async function floor(probe, seconds, spin) {
  const spinner = spin ? new Worker(URL.createObjectURL(new Blob(['for (;;) {}'], { type: 'text/javascript' }))) : undefined;
  try {
    const { longestMs, totalMs, tasks } = await longestPause(probe, () => new Promise((resolve) => setTimeout(resolve, seconds * 1000)));
    return {
      compaction: spin ? 'none, a worker spinning' : 'none',
      probe,
      compactSeconds: +(totalMs / 1000).toFixed(1),
      longestPauseMs: +longestMs.toFixed(1),
      ...taskColumns(tasks),
    };
  } finally {
    spinner?.terminate();
  }
}

(async () => {
  const results = [];
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the page's loading settles
  for (const spin of [false, true]) for (const probe of ['timer', 'busy']) results.push(await floor(probe, FLOOR_SECONDS, spin));
  for (const probe of ['timer', 'busy']) results.push(await flushRun(probe));
  for (const [compaction, probe] of [
    ['worker', 'timer'],
    ['worker', 'busy'],
    ['inline', 'timer'],
  ])
    results.push(await run(compaction, probe));
  return results;
})().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
