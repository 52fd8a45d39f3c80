// Shaping results for the table: ops/s per side, the ratio
// (StrataDB ÷ IndexedDB: above 1 StrataDB is faster), and a Markdown copy.
import type { BenchConfig, Side, SideResult, WorkloadId } from './protocol.js';
import { BENCH_WORKLOADS, SIDE_LABEL, phases } from './workloads.js';

export function opsPerSec(result: Pick<SideResult, 'ops' | 'ms'>): number {
  return result.ms > 0 ? (result.ops * 1000) / result.ms : Infinity;
}

/** StrataDB ops/s ÷ IndexedDB ops/s; undefined until both are known. */
export function ratioOf(strata: number | undefined, idb: number | undefined): number | undefined {
  if (strata === undefined || idb === undefined || !(idb > 0) || !Number.isFinite(strata) || !Number.isFinite(idb)) return undefined;
  return strata / idb;
}

/** "StrataDB 3.2× faster", "IndexedDB 1.4× faster", or "about even" within 5%. */
export function verdict(ratio: number): string {
  if (ratio >= 0.95 && ratio <= 1.05) return 'about even';
  return ratio > 1 ? `StrataDB ${ratio.toFixed(ratio < 10 ? 1 : 0)}× faster` : `IndexedDB ${(1 / ratio).toFixed(1 / ratio < 10 ? 1 : 0)}× faster`;
}

/**
 * Where a ratio sits on a log scale from 1/100× (0) through 1× (0.5) to
 * 100× (1), clamped: for the bar drawn beside it.
 */
export function ratioPosition(ratio: number): number {
  return Math.min(1, Math.max(0, (Math.log10(ratio) + 2) / 4));
}

export interface ReportRow {
  workload: WorkloadId;
  label: string;
  ops: number;
  unit: string;
  perSec: Partial<Record<Side, number>>;
  problems: string[];
  /** Undefined until both sides finished, and when either failed its check (its speed means nothing). */
  ratio: number | undefined;
}

export function buildRows(config: BenchConfig, results: readonly SideResult[]): ReportRow[] {
  return BENCH_WORKLOADS.map((w) => {
    const perSec: Partial<Record<Side, number>> = {};
    const problems: string[] = [];
    for (const r of results) {
      if (r.workload !== w.id) continue;
      perSec[r.side] = opsPerSec(r);
      if (r.problem) problems.push(`${SIDE_LABEL[r.side]}: ${r.problem}`);
    }
    return {
      workload: w.id,
      label: `(${w.letter}) ${w.label}`,
      ops: w.ops(config),
      unit: w.unit,
      perSec,
      problems,
      ratio: problems.length > 0 ? undefined : ratioOf(perSec.stratadb, perSec.indexeddb),
    };
  });
}

/** Fraction of the run done: whole phases done plus the share of the current one. */
export function overallProgress(workload: WorkloadId, side: Side, done: number, total: number): number {
  const all = phases();
  const index = all.findIndex((p) => p.workload === workload && p.side === side);
  if (index < 0) return 0;
  const share = total > 0 ? Math.min(1, done / total) : 0;
  return (index + share) / all.length;
}

const rounded = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-US'));

/** The results as a Markdown table, with what was run and where. */
export function toMarkdown(config: BenchConfig, rows: readonly ReportRow[], browser: string, at: Date): string {
  const lines = [
    `StrataDB vs raw IndexedDB, ${browser}, ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `(${config.awaitedOps} awaited puts, ${config.bulkOps} batched puts / reads, batches of ${config.batchSize}, ${config.valueSize}-byte values; durable writes, strict)`,
    '',
    '| Workload | Ops | StrataDB ops/s | IndexedDB ops/s | Ratio |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.ops.toLocaleString('en-US')} ${r.unit} | ${rounded(r.perSec.stratadb)} | ${rounded(r.perSec.indexeddb)} | ${
          r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`
        } |`,
    ),
  ];
  const problems = rows.flatMap((r) => r.problems.map((p) => `- ${r.label}: ${p} (no ratio)`));
  if (problems.length > 0) lines.push('', 'Failed checks:', ...problems);
  return lines.join('\n') + '\n';
}

/** "Chrome 131", "Firefox 133", "Safari 18" from a user agent string. */
export function browserName(userAgent: string): string {
  const patterns: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Edge'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/(?:HeadlessChrome|Chrome|Chromium)\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* .*Safari\//, 'Safari'],
  ];
  for (const [re, name] of patterns) {
    const m = re.exec(userAgent);
    if (m) return `${name} ${m[1]}`;
  }
  return 'this browser';
}
