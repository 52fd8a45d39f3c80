// Measures, in the browser, what durable writes cost through StrataDB
// against raw IndexedDB doing the same job. Each case runs in rounds, on
// fresh databases, alternating with its raw counterpart (IndexedDB speed
// drifts as the profile grows); medians are reported; last, where one
// durable put's time goes. Results land in window.benchResults for the
// runner (commit-bench.mjs).
import { createRuntime } from '../../dist/index.js';

const params = new URLSearchParams(location.search);
const N = Number(params.get('n') ?? 500);
const ROUNDS = Number(params.get('rounds') ?? 5);
const VALUE = 'v'.repeat(100);
const key = (i) => `key${String(i).padStart(12, '0')}`;

let dbCounter = 0;
const freshName = (prefix) => `${prefix}-${dbCounter++}`;

/** indexed: with an index on each value's timestamp, as IDBFS's store has. */
function openRawIdb(name, indexed = false) {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore('kv');
      if (indexed) store.createIndex('timestamp', 'timestamp', { unique: false });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** One transaction putting entries; commit: end it with IDBTransaction.commit() (StrataDB's commits do not: README). */
function rawPut(db, entries, durability, commit = false) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('kv', 'readwrite', { durability });
    const store = tx.objectStore('kv');
    for (const [k, v] of entries) store.put(v, k);
    if (commit) tx.commit();
    tx.oncomplete = resolve;
    tx.onabort = () => reject(tx.error);
  });
}

/** ops/s of fn(count) on a fresh target. */
async function opsPerSec(count, fn) {
  const start = performance.now();
  await fn(count);
  return (count / (performance.now() - start)) * 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run() {
  const runtime = await createRuntime();
  const cases = {
    rawSingle: (durability, commit) => async (n) => {
      const db = await openRawIdb(freshName('raw'));
      for (let i = 0; i < n; i++) await rawPut(db, [[key(i), VALUE]], durability, commit);
      db.close();
    },
    // What a StrataDB durable put stores, without StrataDB: a record in
    // IDBFS's format (a WAL segment's file of about one put's size) into a
    // store with IDBFS's timestamp index.
    rawIdbfsShaped: (durability, indexed = true) => async (n) => {
      const db = await openRawIdb(freshName('raw-idbfs'), indexed);
      for (let i = 0; i < n; i++) {
        const file = { timestamp: new Date(), mode: 0o100666, contents: new Uint8Array(140).fill(i & 255) };
        await rawPut(db, [[`/strata/${String(i).padStart(6, '0')}.wal`, file]], durability);
      }
      db.close();
    },
    rawBatched: async (n) => {
      const db = await openRawIdb(freshName('raw'));
      for (let i = 0; i < n; i += 1000) {
        const batch = [];
        for (let j = i; j < Math.min(n, i + 1000); j++) batch.push([key(j), VALUE]);
        await rawPut(db, batch, 'default');
      }
      db.close();
    },
    strataSingle: (idbDurability) => async (n) => {
      const db = await runtime.open(freshName('strata'), { idbDurability });
      for (let i = 0; i < n; i++) await db.put(key(i), VALUE);
      await db.close();
    },
    strataShared: (idbDurability) => async (n) => {
      const db = await runtime.open(freshName('strata'), { idbDurability });
      const writes = [];
      for (let i = 0; i < n; i++) writes.push(db.put(key(i), VALUE));
      await Promise.all(writes);
      await db.close();
    },
    strataDeferred: async (n) => {
      const db = await runtime.open(freshName('strata'), { durability: 'deferred' });
      for (let i = 0; i < n; i++) db.put(key(i), VALUE);
      await db.sync();
      await db.close();
    },
  };
  const plan = [
    ['raw IndexedDB: awaited single-put transactions (default durability)', N, cases.rawSingle('default')],
    ['raw IndexedDB: the same, each ended with commit() (default)', N, cases.rawSingle('default', true)],
    ['raw IndexedDB: the same, each a 140-byte file in IDBFS\'s record format and indexed store (default)', N, cases.rawIdbfsShaped('default')],
    ['StrataDB durable, one writer awaiting each put (idbDurability default)', N, cases.strataSingle('default')],
    ['raw IndexedDB: awaited single-put transactions (strict)', N, cases.rawSingle('strict')],
    ['raw IndexedDB: the same, each ended with commit() (strict)', N, cases.rawSingle('strict', true)],
    ['raw IndexedDB: the same, each a 140-byte file in IDBFS\'s record format and indexed store (strict)', N, cases.rawIdbfsShaped('strict')],
    ['raw IndexedDB: the same records into a store without the index (strict)', N, cases.rawIdbfsShaped('strict', false)],
    ['StrataDB durable, one writer awaiting each put (idbDurability strict)', N, cases.strataSingle('strict')],
    ['raw IndexedDB: puts in transactions of 1,000 (default)', N * 20, cases.rawBatched],
    ['StrataDB durable, concurrent puts sharing commits (strict)', N * 20, cases.strataShared('strict')],
    ['StrataDB deferred puts, then sync()', N * 20, cases.strataDeferred],
  ];
  const samples = plan.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < plan.length; i++) samples[i].push(await opsPerSec(plan[i][1], plan[i][2]));
  }
  const results = plan.map(([name, count], i) => ({
    name,
    detail: `${count} writes`,
    opsPerSec: Math.round(median(samples[i])),
  }));

  // Deferred mode at several commit intervals: batches of 100 puts, each
  // followed by a yield to the event loop (as an app's events would), for
  // 2 s. The interval trades the writes a crash can lose against commits
  // (IndexedDB transactions) per second.
  for (const commitIntervalMs of [10, 100, 1000]) {
    const putsPerSec = [];
    const commitsPerSec = [];
    for (let round = 0; round < ROUNDS; round++) {
      const db = await runtime.open(freshName('strata'), { durability: 'deferred', commitIntervalMs });
      const start = performance.now();
      let i = 0;
      while (performance.now() - start < 2000) {
        for (let j = 0; j < 100; j++) db.put(key(i++), VALUE);
        await new Promise((r) => setTimeout(r, 0));
      }
      const seconds = (performance.now() - start) / 1000;
      putsPerSec.push(i / seconds);
      commitsPerSec.push(db.stats().commits.commits / seconds);
      await db.close();
    }
    results.push({
      name: `StrataDB deferred puts between event-loop turns, commitIntervalMs ${commitIntervalMs} (${median(commitsPerSec).toFixed(1)} commits/s)`,
      detail: `writes for 2 s, ${ROUNDS} rounds`,
      opsPerSec: Math.round(median(putsPerSec)),
    });
  }

  // Where one durable put's time goes in the page (idbDurability default and
  // strict): before its commit's IndexedDB transaction is made (the engine's
  // put, closing its WAL segment, taking the changed files), the
  // transaction (made to complete), and after it (the put's promise). Each
  // the median over a round's puts, then over rounds. The transactions are
  // seen by wrapping IDBDatabase.prototype.transaction for this case only.
  const makeTransaction = IDBDatabase.prototype.transaction;
  let made;
  IDBDatabase.prototype.transaction = function (...args) {
    const mark = { at: performance.now() };
    const tx = makeTransaction.apply(this, args);
    tx.addEventListener('complete', () => (mark.complete = performance.now()));
    made = mark;
    return tx;
  };
  try {
    for (const idbDurability of ['default', 'strict']) {
      const phases = { before: [], transaction: [], after: [] };
      // The puts whose commit consolidates the WAL (every 32nd: the
      // binding's kWalConsolidationTrigger), apart.
      const consolidating = { before: [], transaction: [], after: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const db = await runtime.open(freshName('strata'), { idbDurability });
        const each = { before: [], transaction: [], after: [] };
        const eachConsolidating = { before: [], transaction: [], after: [] };
        for (let i = 0; i < N; i++) {
          made = undefined;
          const start = performance.now();
          await db.put(key(i), VALUE);
          const end = performance.now();
          if (!made?.complete) throw new Error('wrong result: a durable put resolved without a completed transaction');
          const into = i % 32 === 31 ? eachConsolidating : each;
          into.before.push(made.at - start);
          into.transaction.push(made.complete - made.at);
          into.after.push(end - made.complete);
        }
        await db.close();
        for (const phase of Object.keys(phases)) {
          phases[phase].push(median(each[phase]));
          consolidating[phase].push(median(eachConsolidating[phase]));
        }
      }
      const micros = (xs) => Object.fromEntries(Object.entries(xs).map(([phase, ys]) => [phase, Math.round(median(ys) * 1000)]));
      results.push({
        name: `one durable put in the page (idbDurability ${idbDurability}), median microseconds`,
        detail: `${N} puts, ${ROUNDS} rounds`,
        micros: micros(phases),
      });
      results.push({
        name: `one durable put whose commit consolidates the WAL (every 32nd; idbDurability ${idbDurability}), median microseconds`,
        detail: `${Math.floor(N / 32)} puts, ${ROUNDS} rounds`,
        micros: micros(consolidating),
      });
    }
  } finally {
    IDBDatabase.prototype.transaction = makeTransaction;
  }
  return results;
}

run().then(
  (results) => (window.benchResults = results),
  (error) => (window.benchResults = { error: String(error?.stack ?? error) }),
);
