// What a web developer gets from the package, against raw IndexedDB doing
// the same job, in one page run: durable writers (one, and 16 at once),
// batches, random gets (awaited one at a time, many in flight, getMany),
// scans of 100, a full read, and the time to open a database. StrataDB runs
// in-thread (open) and through its database worker (openInWorker). Every
// case runs in ROUNDS rounds alternating with its counterparts; medians are
// reported, and every result is checked (a wrong count or value fails the
// run). Results land in window.benchResults for api-bench.mjs.
import { createRuntime, openInWorker } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const ROUNDS = Number(params.get('rounds') ?? 3);
const KEYS = Number(params.get('keys') ?? 100_000);
const BIG = Number(params.get('big') ?? 1_000_000); // entries of the large database timed at open
const WRITES = Number(params.get('writes') ?? 300); // awaited single writes per sample
const VALUE = 'v'.repeat(100);
const key = (i) => `key${String(i).padStart(12, '0')}`;
const valueOf = (i) => `${i}:${VALUE}`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fail = (what) => {
  throw new Error(`wrong result: ${what}`);
};
let rand = 12345;
const random = (n) => {
  rand = (rand * 1103515245 + 12345) >>> 0;
  return rand % n;
};

// ---- raw IndexedDB: one object store, keys as strings

function idbRequest(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function openRaw(name) {
  const req = indexedDB.open(name, 1);
  req.onupgradeneeded = () => req.result.createObjectStore('kv');
  return idbRequest(req);
}
function rawTx(db, mode, durability, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('kv', mode, durability ? { durability } : undefined);
    let result;
    Promise.resolve(fn(tx.objectStore('kv'))).then((r) => (result = r), reject);
    tx.oncomplete = () => resolve(result);
    tx.onabort = () => reject(tx.error);
  });
}
const rawPuts = (db, from, to, durability) =>
  rawTx(db, 'readwrite', durability, (store) => {
    for (let i = from; i < to; i++) store.put(valueOf(i), key(i));
  });
async function fillRaw(name, n) {
  const db = await openRaw(name);
  for (let i = 0; i < n; i += 10_000) await rawPuts(db, i, Math.min(n, i + 10_000), 'relaxed');
  return db;
}

// ---- StrataDB

async function fillStrata(runtime, name, n) {
  const db = await runtime.open(name, { durability: 'deferred' });
  for (let i = 0; i < n; i += 1000) {
    const ops = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) ops.push({ type: 'put', key: key(j), value: valueOf(j) });
    await db.batch(ops);
  }
  await db.compact();
  await db.close();
}

/** ops/s of running body(i) for i < n, awaited one after another. */
async function sequential(n, body) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await body(i);
  return (n / (performance.now() - start)) * 1000;
}
/** ops/s of n calls of body(i) all in flight at once. */
async function inFlight(n, body) {
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => body(i)));
  return (n / (performance.now() - start)) * 1000;
}

// Each case: a name, what a sample measures, and per side a function that
// returns one sample (the side's handle comes from `setup`).
async function run() {
  const runtime = await createRuntime();
  const rows = [];
  const record = (name, unit, samples) => rows.push({ name, unit, ...Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) });

  // --- writes: fresh databases per sample
  let fresh = 0;
  for (const durability of ['strict', 'default']) {
    const samples = { raw: [], inThread: [], worker: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await openRaw(`raw-w-${fresh++}`);
      samples.raw.push(await sequential(WRITES, (i) => rawPuts(raw, i, i + 1, durability)));
      raw.close();
      const db = await runtime.open(`w-${fresh++}`, { idbDurability: durability });
      samples.inThread.push(await sequential(WRITES, (i) => db.put(key(i), VALUE)));
      await db.close();
      const wdb = await openInWorker(`w-${fresh++}`, { idbDurability: durability });
      samples.worker.push(await sequential(WRITES, (i) => wdb.put(key(i), VALUE)));
      await wdb.close();
    }
    record(`one writer awaiting each durable put (${durability})`, 'puts/s', samples);
  }
  {
    const samples = { raw: [], inThread: [], worker: [] };
    const perCommit = { inThread: [], worker: [] };
    const sixteen = async (put) => {
      const start = performance.now();
      await Promise.all(Array.from({ length: 16 }, async (_, w) => {
        for (let i = 0; i < WRITES / 4; i++) await put(w * 100_000 + i);
      }));
      return ((16 * (WRITES / 4)) / (performance.now() - start)) * 1000;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await openRaw(`raw-16-${fresh++}`);
      samples.raw.push(await sixteen((i) => rawPuts(raw, i, i + 1, 'strict')));
      raw.close();
      const db = await runtime.open(`w16-${fresh++}`);
      samples.inThread.push(await sixteen((i) => db.put(key(i), VALUE)));
      perCommit.inThread.push((16 * (WRITES / 4)) / db.stats().commits.commits);
      await db.close();
      const wdb = await openInWorker(`w16-${fresh++}`);
      samples.worker.push(await sixteen((i) => wdb.put(key(i), VALUE)));
      perCommit.worker.push((16 * (WRITES / 4)) / (await wdb.stats()).commits.commits);
      await wdb.close();
    }
    record('16 writers, each awaiting its own durable puts (strict)', 'puts/s', samples);
    rows.at(-1).putsPerCommit = { inThread: median(perCommit.inThread), worker: median(perCommit.worker) };
  }
  {
    const samples = { raw: [], inThread: [], worker: [] };
    const batches = 20;
    const ops = (b) => Array.from({ length: 1000 }, (_, j) => ({ type: 'put', key: key(b * 1000 + j), value: VALUE }));
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await openRaw(`raw-b-${fresh++}`);
      samples.raw.push((await sequential(batches, (b) => rawPuts(raw, b * 1000, b * 1000 + 1000, 'strict'))) * 1000);
      raw.close();
      const db = await runtime.open(`b-${fresh++}`);
      samples.inThread.push((await sequential(batches, (b) => db.batch(ops(b)))) * 1000);
      await db.close();
      const wdb = await openInWorker(`b-${fresh++}`);
      samples.worker.push((await sequential(batches, (b) => wdb.batch(ops(b)))) * 1000);
      await wdb.close();
    }
    record('batches of 1,000 durable puts (strict)', 'puts/s', samples);
  }

  // --- reads: one filled database per side
  const raw = await fillRaw('raw-read', KEYS);
  await fillStrata(runtime, 'read', KEYS);
  const reads = {
    single: { raw: [], inThread: [], worker: [] },
    singleP50: { raw: [], inThread: [], worker: [] },
    echoP50: { worker: [] },
    flight: { raw: [], worker: [] },
    many: { raw: [], inThread: [], worker: [] },
    scans: { raw: [], inThread: [], worker: [] },
    full: { raw: [], inThread: [], worker: [] },
  };
  const N = 1000;
  const keysOf = () => Array.from({ length: N }, () => random(KEYS));
  // getMany is timed over MANY_CALLS calls (raw: as many transactions), not
  // one: a single ~5 ms call measured mostly the caches filling after open.
  const MANY_CALLS = 20;
  const keyLists = () => Array.from({ length: MANY_CALLS }, keysOf);
  const check = (i, v) => v === valueOf(i) || fail(`get ${key(i)} = ${String(v).slice(0, 20)}`);
  const latencies = async (n, body) => {
    const times = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await body(i);
      times.push((performance.now() - t) * 1000);
    }
    return median(times);
  };
  const rawGet = (i) => rawTx(raw, 'readonly', undefined, (s) => idbRequest(s.get(key(i)))).then((v) => check(i, v));
  const rawScan = (from) =>
    rawTx(raw, 'readonly', undefined, async (s) => {
      const range = IDBKeyRange.lowerBound(key(from));
      const rows = s.getAllRecords ? await idbRequest(s.getAllRecords({ query: range, count: 100 })) : await idbRequest(s.getAll(range, 100));
      if (rows.length !== Math.min(100, KEYS - from)) fail(`raw scan of ${rows.length}`);
    });
  for (let round = 0; round < ROUNDS; round++) {
    // raw IndexedDB
    let ks = keysOf();
    reads.single.raw.push(await sequential(N, (j) => rawGet(ks[j])));
    reads.singleP50.raw.push(await latencies(200, (j) => rawGet(ks[j])));
    reads.flight.raw.push(await inFlight(N, (j) => rawGet(ks[j])));
    let lists = keyLists();
    reads.many.raw.push(
      await sequential(MANY_CALLS, (c) =>
        rawTx(raw, 'readonly', undefined, (s) => Promise.all(lists[c].map((i) => idbRequest(s.get(key(i))).then((v) => check(i, v))))),
      ) * N,
    );
    reads.scans.raw.push(await sequential(200, () => rawScan(random(KEYS - 100))));
    reads.full.raw.push(
      await sequential(1, () =>
        rawTx(raw, 'readonly', undefined, async (s) => {
          const all = await idbRequest(s.getAll());
          if (all.length !== KEYS) fail(`raw full read of ${all.length}`);
        }),
      ) * KEYS,
    );

    // in-thread
    const db = await runtime.open('read');
    ks = keysOf();
    reads.single.inThread.push(await sequential(N, (j) => check(ks[j], db.get(key(ks[j])))));
    reads.singleP50.inThread.push(await latencies(200, (j) => check(ks[j], db.get(key(ks[j])))));
    lists = keyLists();
    reads.many.inThread.push(
      await sequential(MANY_CALLS, (c) => db.getMany(lists[c].map(key)).forEach((v, j) => check(lists[c][j], v))) * N,
    );
    reads.scans.inThread.push(
      await sequential(200, () => {
        const from = random(KEYS - 100);
        if (db.scan({ gte: key(from), limit: 100 }).length !== 100) fail('scan');
      }),
    );
    reads.full.inThread.push(await sequential(1, () => db.scan().length === KEYS || fail('full scan')) * KEYS);
    await db.close();

    // through the worker
    const wdb = await openInWorker('read');
    ks = keysOf();
    reads.single.worker.push(await sequential(N, async (j) => check(ks[j], await wdb.get(key(ks[j])))));
    reads.singleP50.worker.push(await latencies(200, async (j) => check(ks[j], await wdb.get(key(ks[j])))));
    reads.flight.worker.push(await inFlight(N, async (j) => check(ks[j], await wdb.get(key(ks[j])))));
    lists = keyLists();
    reads.many.worker.push(
      await sequential(MANY_CALLS, async (c) => (await wdb.getMany(lists[c].map(key))).forEach((v, j) => check(lists[c][j], v))) * N,
    );
    reads.scans.worker.push(
      await sequential(200, async () => {
        const from = random(KEYS - 100);
        if ((await wdb.scan({ gte: key(from), limit: 100 })).length !== 100) fail('worker scan');
      }),
    );
    reads.full.worker.push(await sequential(1, async () => (await wdb.scan()).length === KEYS || fail('worker full scan')) * KEYS);
    await wdb.close();

    // the floor: a message shaped like a get's request, echoed by a bare worker
    const echo = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
    ks = keysOf();
    reads.echoP50.worker.push(
      await latencies(200, (j) => {
        const request = { requests: [{ id: j, method: 'get', args: [key(ks[j])] }] };
        return new Promise((resolve) => {
          echo.onmessage = (event) => resolve(event.data.requests[0].id === j || fail('echo'));
          echo.postMessage(request);
        });
      }),
    );
    echo.terminate();
  }
  raw.close();
  record('random get, one awaited at a time', 'gets/s', reads.single);
  record('random get, one awaited at a time: p50 latency', 'µs', reads.singleP50);
  record('bare postMessage round trip to a worker that echoes (the floor under a call through the worker): p50', 'µs', reads.echoP50);
  record(`random get, ${N} in flight (raw: one transaction each)`, 'gets/s', reads.flight);
  record(`random get of ${N} keys, ${MANY_CALLS} times (raw: ${N} gets in one transaction; StrataDB: getMany)`, 'gets/s', reads.many);
  record('scans of 100 from a random key (raw: getAllRecords/getAll with count)', 'scans/s', reads.scans);
  record(`full read of ${KEYS.toLocaleString('en')} entries (raw: getAll)`, 'entries/s', reads.full);

  // --- time to open
  for (const n of [KEYS, BIG]) {
    if (n !== KEYS) await fillStrata(runtime, `open-${n}`, n);
    const name = n === KEYS ? 'read' : `open-${n}`;
    const samples = { inThread: [], worker: [] };
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now();
      const db = await runtime.open(name);
      samples.inThread.push(performance.now() - start);
      if (db.get(key(n - 1)) !== valueOf(n - 1)) fail('open: last key');
      await db.close();
      start = performance.now();
      const wdb = await openInWorker(name);
      samples.worker.push(performance.now() - start);
      if ((await wdb.get(key(n - 1))) !== valueOf(n - 1)) fail('open in worker: last key');
      await wdb.close();
    }
    record(`open a database of ${n.toLocaleString('en')} entries`, 'ms', samples);
  }
  return rows;
}

run().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
