// The Level benchmark's workload, the same for every abstract-level
// database (Node and browser runners share it): batched puts of keys in a
// scrambled order, gets of written keys in a scrambled order one at a time,
// then one full iteration (nextv of 1,000 entries). Keys are 16 hex
// characters, values 100 bytes.

// Keys in a scrambled order (a multiplicative hash of the index, then the
// index: distinct), the same for every database.
const keyOf = (i) => (Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(8, '0');
// The n-th get's key index, spread over the keys.
const getIndex = (n, keys) => (Math.imul(n, 0x85ebca6b) >>> 0) % keys;

/**
 * Runs the workload once on the database makeDb() makes (then closes it).
 * Resolves to operations per second: { puts, gets, iterated }.
 */
export async function runWorkload(makeDb, { keys, batch = 100, gets }) {
  const written = Array.from({ length: keys }, (_, i) => keyOf(i));
  const value = 'v'.repeat(100);
  const db = makeDb();
  await db.open();
  const perSecond = (n, ms) => (n * 1000) / ms;

  let start = performance.now();
  for (let i = 0; i < keys; i += batch) {
    await db.batch(written.slice(i, i + batch).map((key) => ({ type: 'put', key, value })));
  }
  const puts = perSecond(keys, performance.now() - start);

  start = performance.now();
  for (let i = 0; i < gets; i++) {
    if ((await db.get(written[getIndex(i, keys)])) === undefined) throw new Error('a written key was not found');
  }
  const getsPerSecond = perSecond(gets, performance.now() - start);

  start = performance.now();
  let seen = 0;
  const it = db.iterator();
  for (let page = await it.nextv(1000); page.length > 0; page = await it.nextv(1000)) seen += page.length;
  await it.close();
  const iterated = perSecond(seen, performance.now() - start);
  if (seen !== keys) throw new Error(`iterated ${seen} entries of ${keys}`);

  await db.close();
  return { puts, gets: getsPerSecond, iterated };
}

/**
 * Runs every database's workload `rounds` times, alternating databases
 * round by round, and resolves to each one's medians.
 */
export async function compare(databases, options) {
  const runs = Object.fromEntries(Object.keys(databases).map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const [name, make] of Object.entries(databases)) {
      try {
        runs[name].push(await runWorkload(() => make(round), options));
      } catch (e) {
        throw new Error(`${name}: ${e.message}`, { cause: e });
      }
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(
    Object.entries(runs).map(([name, results]) => [
      name,
      Object.fromEntries(['puts', 'gets', 'iterated'].map((k) => [k, median(results.map((r) => r[k]))])),
    ]),
  );
}

/** The results as a Markdown table, with each StrataDB row's ratio to `baseline` of its pair. */
export function table(results, pairs) {
  const fmt = (v) => Math.round(v).toLocaleString('en');
  const lines = ['| database | batched puts/s | gets/s | iterated entries/s |', '|---|---|---|---|'];
  for (const [name, r] of Object.entries(results)) {
    const base = pairs[name] && results[pairs[name]];
    const cell = (k) => fmt(r[k]) + (base ? ` (${(r[k] / base[k]).toFixed(2)}x)` : '');
    lines.push(`| ${name} | ${cell('puts')} | ${cell('gets')} | ${cell('iterated')} |`);
  }
  return lines.join('\n');
}
