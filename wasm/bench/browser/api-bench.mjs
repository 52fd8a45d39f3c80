// Runs api-bench.html in headless Chromium and prints its table: raw
// IndexedDB beside StrataDB in-thread and through its worker, medians of
// alternating rounds, with StrataDB's ratio to raw IndexedDB (for times,
// raw's time over StrataDB's, so higher is better everywhere).
//
//   node wasm/bench/browser/api-bench.mjs [--rounds=3] [--keys=100000] [--big=1000000] [--writes=300]
import { numberFlags, runPage } from './run-page.mjs';

const flags = numberFlags({ rounds: 3, keys: 100_000, big: 1_000_000, writes: 300 });
const { version, results } = await runPage('api-bench', flags, 3_600_000);
const fmt = (v) => (v === undefined ? '–' : v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(1));
const lowerIsBetter = (unit) => unit === 'µs' || unit === 'ms';
const ratio = (row, side) => {
  if (row.raw === undefined || row[side] === undefined) return '';
  const r = lowerIsBetter(row.unit) ? row.raw / row[side] : row[side] / row.raw;
  return ` (${r.toFixed(2)}x)`;
};
console.log(`Chromium ${version}: median of ${flags.rounds} rounds, ${flags.keys.toLocaleString('en')} keys of 100-byte values`);
console.log('| workload | unit | raw IndexedDB | StrataDB in-thread | StrataDB worker |');
console.log('|---|---|---|---|---|');
for (const row of results) {
  const extra = row.putsPerCommit
    ? ` [puts per commit: in-thread ${row.putsPerCommit.inThread.toFixed(1)}, worker ${row.putsPerCommit.worker.toFixed(1)}]`
    : '';
  console.log(
    `| ${row.name}${extra} | ${row.unit} | ${fmt(row.raw)} | ${fmt(row.inThread)}${ratio(row, 'inThread')} | ${fmt(row.worker)}${ratio(row, 'worker')} |`,
  );
}
