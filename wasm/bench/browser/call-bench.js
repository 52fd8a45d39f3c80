// What one call into the in-thread package costs in the page, per kind of
// call, with string keys and 100-char string values (api-bench's shape):
// gets and getMany from a database of 10,000 keys held in the memtable (so
// that the engine's own work is small beside the JS layer's), deferred puts,
// and batches of 100. Each figure is the median of ROUNDS rounds, in
// microseconds per call; every result is checked. Results land in
// window.benchResults for call-bench.mjs.
import { createRuntime } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 7);
const KEYS = 10_000;
const VALUE = 'v'.repeat(100);
const key = (i) => `key${String(i).padStart(12, '0')}`;
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
  const runtime = await createRuntime();
  const db = await runtime.open(`call-bench-${Date.now()}`, { durability: 'deferred', memtableBytes: 16 << 20 });
  const keys = Array.from({ length: KEYS }, (_, i) => key(i));
  for (let b = 0; b < KEYS; b += 1000) await db.batch(keys.slice(b, b + 1000).map((k) => ({ type: 'put', key: k, value: VALUE })));
  const lists = Array.from({ length: 10 }, (_, l) => keys.slice(l * 1000, l * 1000 + 1000));
  const cases = {
    'get (string key, string value)': () => perCall(50_000, (i) => db.get(keys[i % KEYS]) === VALUE || fail('get')),
    'getMany of 1,000 keys': () => perCall(100, (i) => db.getMany(lists[i % 10])[999] === VALUE || fail('getMany')),
    'put (deferred)': () => perCall(20_000, (i) => db.put(keys[i % KEYS], VALUE)),
    'batch of 100 puts (deferred)': () =>
      perCall(500, (i) => db.batch(keys.slice((i * 100) % KEYS, ((i * 100) % KEYS) + 100).map((k) => ({ type: 'put', key: k, value: VALUE })))),
  };
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, measure] of Object.entries(cases)) samples[name].push(measure());
    await db.sync(); // the deferred puts' commit, between rounds
  }
  await db.close();
  return Object.entries(samples).map(([name, xs]) => ({ name, micros: median(xs) }));
}

run().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
