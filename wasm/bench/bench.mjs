#!/usr/bin/env node
// The strata_bench workloads (tests/bench/workloads.cc) run through the JS
// API of the wasm build, beside the native build's numbers from the same run.
//
//   node wasm/bench/bench.mjs [--num=N] [--compression=none|zlib|both] [--workloads=a,b]
//   npm run bench -- --num=100000            (from wasm/)
//
// It runs the native binary (build/bench/tests/bench/strata_bench, made by
// scripts/bench.sh) as
//   strata_bench --engines=strata --compression=M --num=N --workloads=... --json=TMP
// and the same workloads in this process on wasm/dist (scripts/build-wasm.sh),
// --rounds times each in turns (native first), and prints workload | native
// ops/s | wasm ops/s | wasm/native per mode: each side's median round, and
// the ratio of the two medians. Results also go to
// build/bench/wasm-results.json (--json).
//
// What is mirrored, and what cannot be:
// - Keys: 16-digit zero-padded decimal of 2*i (missing keys 2*i+1), made per
//   op as JS strings. Values: db_bench's half-compressible pool (50 random
//   printable bytes written twice per 100), same seed, same std::mt19937_64
//   (reimplemented with BigInt), so the keys, values, random key order and
//   the prefill's std::shuffle order (libstdc++'s algorithm) equal native's.
//   The random sequences are drawn before the timed loop (native draws them
//   inside it; a draw costs it a few ns).
// - Options: memtableBytes 4 MiB, blockCacheBytes 8 MiB, bloomBitsPerKey 10,
//   4 KiB blocks and the level shape (2 MiB files, L1 10 MiB, x10, L0
//   4/8/12) are the engine defaults, as strata_engine.cc sets them.
//   compression none -> compression: false (none on every level, as
//   native). compression zlib -> compression: true, compressionLevel 1:
//   the JS API only offers zlib in L2 and deeper, while native zlib
//   compresses every level, so zlib ratios compare different placements.
// - storage: 'memory' (Node has no IndexedDB): this measures engine +
//   binding + JS API on MEMFS, not IndexedDB. Writes use durability
//   'deferred' (their promises resolve at once; they are awaited every 1000
//   writes) except fillsync, which uses 'durable' and awaits each put: a
//   durability point per write (WAL segment closed + an empty in-memory
//   commit), where native fillsync fdatasyncs its open WAL segment.
// - The wasm engine has no background thread: flushes and compactions run
//   on this thread, inline when a write must wait for them and otherwise in
//   the handle's setTimeout(0) work steps. The loops give the event loop a
//   turn every --yield_every ops (default 1000) so that those steps (and the
//   deferred-commit timer) run as in an application; all of it is inside the
//   timed region, where native overlaps it on a second core. In a browser
//   the compaction worker takes the compactions off this thread (flushes
//   stay), so the table also gives each workload's rate with the time of
//   its compaction jobs (the engine's compactionMicros) taken out: what the
//   writer's thread would do with compactions elsewhere.
// - Database lifetimes as bench_main.cc: a new database per write workload;
//   the read workloads share one, filled (untimed) with every key once in
//   shuffled order in batches of 1000; overwrite gets its own filled one.
//   Nothing waits for compactions.
// - seekrandom re-seeks one iterator (EntryIterator.seek), as native does; a
//   new one is made only when a seek ran it to the end (which closes it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { open, destroy } from '../dist/node.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const KEY_SIZE = 16;
const BATCH_SIZE = 1000; // fillbatch and prefill
const NEXTS_PER_SEEK = 100; // seekrandom
const AWAIT_EVERY = 1000; // deferred writes' promises are awaited in groups this big

// ---- flags

const USAGE = `bench.mjs: strata_bench's workloads on the wasm build (Node), beside native numbers.

Flags:
  --num=N              keys per database; op count of most workloads (default 1000000)
  --compression=M      none, zlib or both (default none); wasm zlib is L2+ only (see header)
  --workloads=a,b,...  which workloads, in this order (default: all)
  --value_size=N       value bytes (default 100)
  --seed=N             random seed (default 301)
  --value_type=T       binary (Uint8Array values, 'binary' reads; default) or string
  --yield_every=N      give the event loop a turn every N ops (default 1000; 0 never)
  --native=PATH        the strata_bench binary (default build/bench/tests/bench/strata_bench)
  --skip_native        no native run (the ratio column stays empty)
  --rounds=N           N native and N wasm runs, in turns (each round starts with the side
                       the last one ended with); each side's median round per workload is
                       reported, with every round's ops/s in the JSON (default 1)
  --json=PATH          JSON results (default build/bench/wasm-results.json)
`;

function parseFlags(argv) {
  const flags = {
    num: 1000000,
    modes: ['none'],
    workloads: WORKLOADS.map((w) => w.name),
    valueSize: 100,
    seed: 301,
    valueType: 'binary',
    yieldEvery: 1000,
    native: path.join(root, 'build/bench/tests/bench/strata_bench'),
    skipNative: false,
    rounds: 1,
    json: path.join(root, 'build/bench/wasm-results.json'),
  };
  const uint = (name, value, min, max) => {
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      fail(`--${name} must be an integer in ${min}..${max}`);
    }
    return Number(value);
  };
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (arg === '--skip_native') {
      flags.skipNative = true;
      continue;
    }
    const m = /^--([a-z_]+)=(.*)$/.exec(arg);
    if (!m) fail(`expected --flag=value, got '${arg}'`);
    const [, name, value] = m;
    switch (name) {
      case 'num':
        flags.num = uint(name, value, 1, 2 ** 31);
        break;
      case 'compression':
        if (value === 'both') flags.modes = ['none', 'zlib'];
        else if (value === 'none' || value === 'zlib') flags.modes = [value];
        else fail('--compression must be none, zlib or both');
        break;
      case 'workloads':
        flags.workloads = value.split(',').filter((w) => w !== '');
        for (const w of flags.workloads) if (!WORKLOADS.some((x) => x.name === w)) fail(`unknown workload '${w}'`);
        if (flags.workloads.length === 0) fail('--workloads is empty');
        if (new Set(flags.workloads).size !== flags.workloads.length) fail('--workloads names a workload twice');
        break;
      case 'rounds':
        flags.rounds = uint(name, value, 1, 99);
        break;
      case 'value_size':
        flags.valueSize = uint(name, value, 1, 1 << 20);
        break;
      case 'seed':
        flags.seed = uint(name, value, 0, Number.MAX_SAFE_INTEGER);
        break;
      case 'value_type':
        if (value !== 'binary' && value !== 'string') fail('--value_type must be binary or string');
        flags.valueType = value;
        break;
      case 'yield_every':
        flags.yieldEvery = uint(name, value, 0, 2 ** 31);
        break;
      case 'native':
        flags.native = path.resolve(value);
        break;
      case 'json':
        flags.json = path.resolve(value);
        break;
      default:
        fail(`unknown flag --${name} (see --help)`);
    }
  }
  return flags;
}

function fail(message) {
  process.stderr.write(`bench.mjs: ${message}\n`);
  process.exit(2);
}

// ---- data, as tests/bench/data_generator.cc makes it

const MASK64 = (1n << 64n) - 1n;

/** std::mt19937_64, bit for bit. */
class Mt19937_64 {
  constructor(seed) {
    const mt = (this.mt = new BigUint64Array(312));
    mt[0] = BigInt.asUintN(64, BigInt(seed));
    for (let i = 1; i < 312; i++) mt[i] = 6364136223846793005n * (mt[i - 1] ^ (mt[i - 1] >> 62n)) + BigInt(i);
    this.index = 312;
  }

  next() {
    if (this.index >= 312) this.twist();
    let x = this.mt[this.index++];
    x ^= (x >> 29n) & 0x5555555555555555n;
    x ^= (x << 17n) & 0x71d67fffeda60000n;
    x ^= (x << 37n) & 0xfff7eee000000000n;
    x ^= x >> 43n;
    return x;
  }

  twist() {
    const mt = this.mt;
    for (let i = 0; i < 312; i++) {
      const x = (mt[i] & 0xffffffff80000000n) | (mt[(i + 1) % 312] & 0x7fffffffn);
      let xa = x >> 1n;
      if (x & 1n) xa ^= 0xb5026f5aa96619e9n;
      mt[i] = mt[(i + 156) % 312] ^ xa;
    }
    this.index = 0;
  }

  /** BenchRandom::Uniform: rng() % n. */
  uniform(n) {
    return Number(this.next() % BigInt(n));
  }

  /** libstdc++'s uniform_int_distribution<uint64_t>{0, range - 1} on a 64-bit engine (Lemire). */
  below(range) {
    let product = this.next() * range;
    let low = product & MASK64;
    if (low < range) {
      const threshold = (((1n << 64n) - range) % range);
      while (low < threshold) {
        product = this.next() * range;
        low = product & MASK64;
      }
    }
    return product >> 64n;
  }
}

/** std::shuffle(a.begin(), a.end(), rng) as libstdc++ (GCC 12) does it. */
function shuffle(a, rng) {
  const n = BigInt(a.length);
  if (a.length < 2) return;
  const swap = (i, j) => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  if (MASK64 / n < n) {
    // Not reached for n < 2^32 (the two-at-a-time path covers it).
    for (let i = a.length - 1; i > 0; i--) swap(i, Number(rng.below(BigInt(i + 1))));
    return;
  }
  let i = 1;
  if (a.length % 2 === 0) {
    swap(i, Number(rng.below(2n)));
    i++;
  }
  while (i < a.length) {
    const b0 = BigInt(i + 1);
    const b1 = b0 + 1n;
    const x = rng.below(b0 * b1);
    swap(i, Number(x / b1));
    i++;
    swap(i, Number(x % b1));
    i++;
  }
}

/** KeyFormatter::Key / MissingKey. */
const key = (i) => String(2 * i).padStart(KEY_SIZE, '0');
const missingKey = (i) => String(2 * i + 1).padStart(KEY_SIZE, '0');

/**
 * ValueGenerator: the values it hands out, in order (it cycles through
 * them): views of one pool, so that taking one allocates nothing, as native.
 */
function valueCycle(seed, valueSize, valueType) {
  const PIECE = 100;
  const RAW = 50;
  const rng = new Mt19937_64(seed);
  const poolSize = Math.max(1024 * 1024, valueSize);
  const pieces = Math.ceil((poolSize + PIECE) / PIECE);
  const data = new Uint8Array(pieces * PIECE);
  for (let p = 0; p < pieces; p++) {
    for (let i = 0; i < RAW; i++) data[p * PIECE + i] = 32 + Number(rng.next() % 95n);
    data.copyWithin(p * PIECE + RAW, p * PIECE, p * PIECE + RAW);
  }
  const text = valueType === 'string' ? Buffer.from(data).toString('latin1') : undefined;
  const values = [];
  for (let pos = 0; pos + valueSize <= data.length; pos += valueSize) {
    values.push(text !== undefined ? text.slice(pos, pos + valueSize) : data.subarray(pos, pos + valueSize));
  }
  return values;
}

class Values {
  constructor(cycle) {
    this.cycle = cycle;
    this.i = 0;
  }
  next() {
    const v = this.cycle[this.i++];
    if (this.i === this.cycle.length) this.i = 0;
    return v;
  }
}

/** What the workloads draw from, computed once per run (untimed). */
class Data {
  constructor(flags) {
    this.flags = flags;
    this.cache = new Map();
  }
  memo(name, make) {
    if (!this.cache.has(name)) this.cache.set(name, make());
    return this.cache.get(name);
  }
  /** BenchRandom(seed).Uniform(num), num times: every random workload's key sequence. */
  randomIndexes() {
    return this.memo('random', () => {
      const { num, seed } = this.flags;
      const rng = new Mt19937_64(seed);
      const out = new Float64Array(num);
      for (let i = 0; i < num; i++) out[i] = rng.uniform(num);
      return out;
    });
  }
  values(seed) {
    return new Values(this.memo(`values-${seed}`, () => valueCycle(seed, this.flags.valueSize, this.flags.valueType)));
  }
  /** Prefill's shuffled key order. */
  prefillOrder() {
    return this.memo('order', () => {
      const { num, seed } = this.flags;
      const order = new Float64Array(num);
      for (let i = 0; i < num; i++) order[i] = i;
      shuffle(order, new Mt19937_64(BigInt(seed) ^ 0x5eedf111n));
      return order;
    });
  }
}

// ---- workloads, as tests/bench/workloads.cc

const now = () => performance.now();

/** Gives the event loop a turn every yieldEvery ops (see the header). */
function turns(flags) {
  return flags.yieldEvery > 0 ? flags.yieldEvery : Infinity;
}

async function puts(db, ctx, ops, random, m) {
  const { flags, data } = ctx;
  const rnd = random ? data.randomIndexes() : undefined;
  const values = data.values(flags.seed);
  const turnEvery = turns(flags);
  let pending = [];
  const start = now();
  for (let i = 0; i < ops; i++) {
    pending.push(db.put(key(random ? rnd[i] : i), values.next()));
    if (pending.length === AWAIT_EVERY) {
      await Promise.all(pending);
      pending = [];
    }
    if ((i + 1) % turnEvery === 0) await nextTurn();
  }
  await Promise.all(pending);
  m.seconds = (now() - start) / 1000;
  m.ops = ops;
  m.bytes = ops * (KEY_SIZE + flags.valueSize);
}

async function fillSync(db, ctx, m) {
  const { flags, data } = ctx;
  const ops = Math.max(1, Math.floor(flags.num / 100));
  const rnd = data.randomIndexes();
  const values = data.values(flags.seed);
  const start = now();
  for (let i = 0; i < ops; i++) await db.put(key(rnd[i]), values.next()); // durable handle
  m.seconds = (now() - start) / 1000;
  m.ops = ops;
  m.bytes = ops * (KEY_SIZE + flags.valueSize);
}

/** WriteBatches: every key of `order` (or 0..num-1) with values drawn from `values`, 1000 per batch. */
async function writeBatches(db, ctx, values, order) {
  const { flags } = ctx;
  const turnEvery = turns(flags);
  let pending = [];
  for (let i = 0; i < flags.num; i += BATCH_SIZE) {
    const end = Math.min(flags.num, i + BATCH_SIZE);
    const ops = [];
    for (let j = i; j < end; j++) ops.push({ type: 'put', key: key(order ? order[j] : j), value: values.next() });
    pending.push(db.batch(ops));
    if (pending.length * BATCH_SIZE >= AWAIT_EVERY) {
      await Promise.all(pending);
      pending = [];
    }
    if (Math.floor(end / turnEvery) > Math.floor(i / turnEvery)) await nextTurn();
  }
  await Promise.all(pending);
}

async function fillBatch(db, ctx, m) {
  const values = ctx.data.values(ctx.flags.seed); // made before the clock starts, as in puts()
  const start = now();
  await writeBatches(db, ctx, values, undefined);
  m.seconds = (now() - start) / 1000;
  m.ops = ctx.flags.num;
  m.bytes = ctx.flags.num * (KEY_SIZE + ctx.flags.valueSize);
}

async function prefill(db, ctx) {
  const seed = Number(BigInt(ctx.flags.seed) ^ 0xfeedn); // values unlike the timed writes'
  await writeBatches(db, ctx, ctx.data.values(seed), ctx.data.prefillOrder());
}

async function gets(db, ctx, missing, m) {
  const { flags, data } = ctx;
  const rnd = data.randomIndexes();
  const turnEvery = turns(flags);
  const format = missing ? missingKey : key;
  let found = 0;
  let bytes = 0;
  const start = now();
  for (let i = 0; i < flags.num; i++) {
    const value = db.get(format(rnd[i]));
    if (value !== undefined) {
      found++;
      bytes += KEY_SIZE + value.length;
    }
    if ((i + 1) % turnEvery === 0) await nextTurn();
  }
  m.seconds = (now() - start) / 1000;
  m.ops = flags.num;
  m.found = found;
  m.bytes = bytes;
}

async function readSeq(db, ctx, m) {
  const turnEvery = turns(ctx.flags);
  let n = 0;
  let bytes = 0;
  const start = now();
  // Keys are ASCII: a decoded key's length is its size in bytes.
  for (const { key: k, value } of db.iterator({ limit: ctx.flags.num })) {
    bytes += k.length + value.length;
    n++;
    if (n % turnEvery === 0) await nextTurn();
  }
  m.seconds = (now() - start) / 1000;
  m.ops = n;
  m.found = n;
  m.bytes = bytes;
}

async function seekRandom(db, ctx, m) {
  const { flags, data } = ctx;
  const seeks = Math.max(1, Math.floor(flags.num / 10));
  const rnd = data.randomIndexes();
  const turnEvery = turns(flags);
  let found = 0;
  let bytes = 0;
  const start = now();
  let it = db.iterator();
  for (let i = 0; i < seeks; i++) {
    // The entry found, then 100 more.
    it.seek(key(rnd[i]));
    for (let n = 0; n <= NEXTS_PER_SEEK; n++) {
      const next = it.next();
      if (next.done) {
        it = db.iterator(); // the end closed it
        break;
      }
      bytes += next.value.key.length + next.value.value.length;
      found++;
    }
    if ((i + 1) % turnEvery === 0) await nextTurn();
  }
  it.close();
  m.seconds = (now() - start) / 1000;
  m.ops = seeks;
  m.found = found;
  m.bytes = bytes;
}

// db: 'empty' (a new database), 'shared' (filled; read workloads share it),
// 'own' (filled for this workload alone).
const WORKLOADS = [
  { name: 'fillseq', op: 'put', db: 'empty', run: (db, ctx, m) => puts(db, ctx, ctx.flags.num, false, m) },
  { name: 'fillrandom', op: 'put', db: 'empty', run: (db, ctx, m) => puts(db, ctx, ctx.flags.num, true, m) },
  { name: 'overwrite', op: 'put', db: 'own', run: (db, ctx, m) => puts(db, ctx, ctx.flags.num, true, m) },
  { name: 'fillbatch', op: 'put', db: 'empty', run: fillBatch },
  { name: 'readrandom', op: 'get', db: 'shared', run: (db, ctx, m) => gets(db, ctx, false, m) },
  { name: 'readmissing', op: 'get', db: 'shared', run: (db, ctx, m) => gets(db, ctx, true, m) },
  { name: 'readseq', op: 'entry', db: 'shared', run: readSeq },
  { name: 'seekrandom', op: 'seek', db: 'shared', run: seekRandom },
  { name: 'fillsync', op: 'put', db: 'empty', durable: true, run: fillSync },
];

// ---- running

async function openDb(name, mode, flags, durable) {
  return open(name, {
    storage: 'memory',
    durability: durable ? 'durable' : 'deferred',
    memtableBytes: 4 * 1024 * 1024,
    blockCacheBytes: 8 * 1024 * 1024,
    bloomBitsPerKey: 10,
    compression: mode === 'zlib',
    compressionLevel: 1,
    keyEncoding: 'utf8',
    valueEncoding: flags.valueType === 'binary' ? 'binary' : 'utf8',
  });
}

async function closeDb(db) {
  const name = db.name;
  await db.close();
  await destroy(name, { storage: 'memory' });
}

/** The engine's state after a workload, for the JSON (untimed). */
function engineState(db) {
  const s = db.stats();
  return {
    files_per_level: s.levels.map((l) => l.files),
    flushes: s.flushes,
    compactions: s.compactions,
    stopped_writes: s.stoppedWrites,
    slowdown_writes: s.slowdownWrites,
    stall_micros: s.stallMicros,
    wal_segments_created: s.walSegmentsCreated,
  };
}

async function runWasm(flags, mode, data) {
  const ctx = { flags, data };
  const results = [];
  let shared; // the read workloads' database
  for (const name of flags.workloads) {
    const w = WORKLOADS.find((x) => x.name === name);
    const r = { compression: mode, workload: w.name, op: w.op };
    let db;
    try {
      if (w.db === 'shared') {
        if (!shared) {
          shared = await openDb(`${mode}-reads`, mode, flags, false);
          await prefill(shared, ctx);
        }
        db = shared;
      } else {
        db = await openDb(`${mode}-${w.name}`, mode, flags, w.durable === true);
        if (w.db === 'own') await prefill(db, ctx);
      }
      const m = { ops: 0, bytes: 0, found: 0, seconds: 0 };
      const compactionMicros = db.stats().compactionMicros;
      await w.run(db, ctx, m);
      // No task runs between the end of the timed loop and this line.
      const compactionSeconds = (db.stats().compactionMicros - compactionMicros) / 1e6;
      Object.assign(r, {
        ops: m.ops,
        bytes: m.bytes,
        ...(w.db === 'shared' ? { found: m.found } : {}),
        seconds: m.seconds,
        ops_per_sec: m.ops / m.seconds,
        mb_per_sec: m.bytes / 1048576 / m.seconds,
        micros_per_op: (m.seconds * 1e6) / m.ops,
        compaction_seconds: compactionSeconds,
        ops_per_sec_without_compactions: m.ops / (m.seconds - compactionSeconds),
        engine_after: engineState(db),
      });
      process.stderr.write(
        `${mode.padEnd(5)} ${w.name.padEnd(12)} wasm     ${r.ops_per_sec.toFixed(0).padStart(12)} ops/s ` +
          `${r.micros_per_op.toFixed(3).padStart(8)} micros/op (${m.seconds.toFixed(2)} s)\n`,
      );
    } catch (e) {
      r.error = String(e?.stack ?? e);
      process.stderr.write(`${mode.padEnd(5)} ${w.name.padEnd(12)} wasm     FAILED: ${r.error}\n`);
    }
    if (db && db !== shared) await closeDb(db).catch(() => {});
    results.push(r);
  }
  if (shared) await closeDb(shared).catch(() => {});
  return results;
}

/** Runs strata_bench for StrataDB alone; returns its JSON and command line. */
function runNative(flags) {
  const dir = mkdtempSync(path.join(tmpdir(), 'strata-wasm-bench-'));
  const json = path.join(dir, 'native.json');
  const args = [
    '--engines=strata',
    `--compression=${flags.modes.length === 2 ? 'both' : flags.modes[0]}`,
    `--num=${flags.num}`,
    `--workloads=${flags.workloads.join(',')}`,
    `--value_size=${flags.valueSize}`,
    `--seed=${flags.seed}`,
    `--json=${json}`,
  ];
  const command = [flags.native, ...args].join(' ');
  try {
    if (!existsSync(flags.native)) {
      throw new Error(`${flags.native} not found: build it with scripts/bench.sh, or pass --native=PATH or --skip_native`);
    }
    process.stderr.write(`bench.mjs: native: ${command}\n`);
    // Its table goes to stderr with its progress: stdout is this script's table.
    const run = spawnSync(flags.native, args, { stdio: ['ignore', 2, 2] });
    if (run.error) throw run.error;
    if (!existsSync(json)) throw new Error(`strata_bench exited with ${run.status ?? run.signal} and wrote no JSON`);
    return { command, exitCode: run.status, result: JSON.parse(readFileSync(json, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x) => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));

function printTable(flags, mode, rows) {
  const out = [];
  out.push(
    `\n== compression: ${mode}  (num=${flags.num}, key 16 B, value ${flags.valueSize} B; ` +
      `wasm: Node ${process.version}, storage 'memory', ${flags.valueType} values)`,
  );
  out.push(
    `${'workload'.padEnd(12)} ${'native ops/s'.padStart(14)} ${'wasm ops/s'.padStart(14)} ${'wasm/native'.padStart(12)}` +
      `   ${'compactions elsewhere: wasm ops/s'.padStart(34)} ${'wasm/native'.padStart(12)}`,
  );
  for (const r of rows) {
    const wasm = r.error ? 'FAILED' : fmt(r.ops_per_sec);
    const ratio = r.wasm_native_ratio === undefined ? '-' : r.wasm_native_ratio.toFixed(3);
    const without = r.error ? '-' : fmt(r.ops_per_sec_without_compactions);
    const withoutRatio =
      r.native_ops_per_sec === undefined || r.error ? '-' : (r.ops_per_sec_without_compactions / r.native_ops_per_sec).toFixed(3);
    out.push(
      `${r.workload.padEnd(12)} ${fmt(r.native_ops_per_sec).padStart(14)} ${wasm.padStart(14)} ${ratio.padStart(12)}` +
        `   ${without.padStart(34)} ${withoutRatio.padStart(12)}`,
    );
  }
  const mismatched = rows.filter((r) => r.found !== undefined && r.native_found !== undefined && r.found !== r.native_found);
  for (const r of mismatched) out.push(`(!) ${r.workload}: wasm found ${r.found}, native ${r.native_found}`);
  if (rows.some((r) => r.workload === 'fillsync')) {
    out.push(
      'fillsync: native syncs a real file per put (fdatasync of the open WAL segment); ' +
        "the wasm run has no storage ('memory'), so each put's durability point is a WAL segment " +
        'roll plus an empty in-memory commit.',
    );
  }
  if (mode === 'zlib') {
    out.push('zlib: native compresses every level; the JS API (compression: true) compresses L2 and deeper only.');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * The result of the median round by ops/s (the lower middle one), with
 * every round's ops/s; a failed round wins. Undefined if a round has none
 * (no native run).
 */
function medianRound(results) {
  if (results.length === 0 || results.includes(undefined)) return undefined;
  const failed = results.find((r) => r.error !== undefined || r.ops_per_sec === undefined);
  if (failed) return failed;
  const sorted = [...results].sort((a, b) => a.ops_per_sec - b.ops_per_sec);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  return results.length > 1 ? { ...median, round_ops_per_sec: results.map((r) => r.ops_per_sec) } : median;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  const loadBefore = loadavg();
  const data = new Data(flags);
  // Native and wasm take turns, so that a slow spell of a shared machine
  // falls on each about as often.
  const nativeRounds = [];
  const wasmRounds = [];
  for (let round = 0; round < flags.rounds; round++) {
    const sides = [
      () => {
        if (!flags.skipNative) nativeRounds.push(runNative(flags));
      },
      async () => {
        const results = [];
        for (const mode of flags.modes) results.push(...(await runWasm(flags, mode, data)));
        wasmRounds.push(results);
      },
    ];
    if (round % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  const native = nativeRounds[0];
  const all = [];
  for (const mode of flags.modes) {
    const results = [];
    for (const name of flags.workloads) {
      const same = (x) => x.compression === mode && x.workload === name;
      const r = medianRound(wasmRounds.map((round) => round.find(same)));
      const nativeResults = nativeRounds.map((run) => run.result.results.find((x) => x.engine === 'strata' && same(x)));
      const n = medianRound(nativeResults);
      if (n?.ops_per_sec !== undefined) {
        r.native = n; // strata_bench's whole result: latencies, found, seconds
        r.native_ops_per_sec = n.ops_per_sec;
        if (n.found !== undefined) r.native_found = n.found;
        if (r.ops_per_sec !== undefined) r.wasm_native_ratio = r.ops_per_sec / n.ops_per_sec;
      } else if (n?.error) {
        r.native_error = n.error;
      }
      results.push(r);
    }
    printTable(flags, mode, results);
    all.push(...results);
  }
  const report = {
    tool: 'wasm/bench/bench.mjs',
    node: process.version,
    config: {
      num: flags.num,
      key_size: KEY_SIZE,
      value_size: flags.valueSize,
      value_type: flags.valueType,
      seed: flags.seed,
      yield_every: flags.yieldEvery,
      storage: 'memory',
      memtable_bytes: 4 * 1024 * 1024,
      block_cache_bytes: 8 * 1024 * 1024,
      bloom_bits_per_key: 10,
      zlib: 'compressionLevel 1, L2 and deeper (compression: true)',
      rounds: flags.rounds,
    },
    // The machine's 1/5/15-minute load averages before and after the run.
    load_average: { before: loadBefore, after: loadavg() },
    native_command: native?.command ?? null,
    native_config: native?.result.config ?? null,
    results: all,
  };
  mkdirSync(path.dirname(flags.json), { recursive: true });
  writeFileSync(flags.json, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(
    `bench.mjs: results written to ${flags.json} (load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, ` +
      `after ${report.load_average.after.map((x) => x.toFixed(2)).join(' ')})\n`,
  );
  const failed = all.some((r) => r.error) || nativeRounds.some((run) => run.exitCode !== 0);
  process.exitCode = failed ? 1 : 0;
}

await main();
