// What one call into the in-thread package costs in the page, per kind of
// call, with string keys and 100-char string values (api-bench's shape):
// gets and getMany from a database of 10,000 keys held in the memtable (so
// that the engine's own work is small beside the JS layer's), deferred puts,
// and batches of 100. The memtable (64 MiB) holds every round's writes, so
// no memtable switch or flush lands in a timed loop. Each figure is the
// median of ROUNDS rounds, in microseconds per call. Results are checked:
// reads inside the timed loops (a comparison each), writes by a rejection
// handler for the page, sync() and reading them back after each round.
// Results land in window.benchResults for call-bench.mjs.
import { createRuntime } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 7);
const KEYS = 10_000;
const VALUE = 'v'.repeat(100);
const key = (i) => `key${String(i).padStart(12, '0')}`;
// 100 chars, a value per write, so that reading back tells which write landed.
const valueOf = (i) => `${String(i).padStart(8, '0')}${VALUE.slice(8)}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fail = (what) => {
  throw new Error(`wrong result: ${what}`);
};

/** Microseconds per call of fn(i), i < n. */
function perCall(n, fn) {
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - start) * 1000) / n;
}

async function run() {
  // A deferred write's promise rejects if the write failed; nothing else awaits it.
  let failedWrite;
  addEventListener('unhandledrejection', (e) => (failedWrite ??= e.reason));
  const runtime = await createRuntime();
  const db = await runtime.open(`call-bench-${Date.now()}`, { durability: 'deferred', memtableBytes: 64 << 20 });
  const keys = Array.from({ length: KEYS }, (_, i) => key(i));
  const puts = (from, n) =>
    keys.slice(from % KEYS, (from % KEYS) + n).map((k, j) => ({ type: 'put', key: k, value: valueOf(from + j) }));
  for (let b = 0; b < KEYS; b += 1000) await db.batch(puts(b, 1000));
  const lists = Array.from({ length: 10 }, (_, l) => keys.slice(l * 1000, l * 1000 + 1000));
  const cases = {
    'get (string key, string value)': () =>
      perCall(50_000, (i) => db.get(keys[i % KEYS])?.length === 100 || fail('get')),
    'getMany of 1,000 keys': () =>
      perCall(100, (i) => db.getMany(lists[i % 10]).every((v) => v?.length === 100) || fail('getMany')),
    'put (deferred)': () => perCall(10_000, (i) => db.put(keys[i % KEYS], valueOf(i))),
    'batch of 100 puts (deferred)': () => perCall(200, (i) => db.batch(puts(i * 100, 100))),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of Object.entries(cases)) samples[name].push(measure());
    await db.sync(); // the round's deferred writes, committed
    if (failedWrite) fail(`a write failed: ${failedWrite}`);
    // The last writes to each key: batches wrote keys 0..19,999 % KEYS, after the puts.
    for (let i = 0; i < KEYS; i += 97) if (db.get(keys[i]) !== valueOf(10_000 + i)) fail(`read back ${keys[i]}`);
  }
  if (db.stats().flushes !== 0) fail('a flush ran: the memtable did not hold the writes');
  await db.close();
  return Object.entries(samples).map(([name, xs]) => ({ name, micros: median(xs) }));
}

run().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
