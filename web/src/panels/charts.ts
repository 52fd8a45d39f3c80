// Throughput and latency: small multiples of line charts over the last 1 or
// 5 minutes, from the shared Records' points (model/rates.ts: each spans
// the last RATE_SMOOTH_MS of stats samples, kept across reloads): operations,
// the engine's latencies beside the caller's (a durable write's includes its
// commit), and the commits that make writes durable: how many, how big, how
// long, and how many writes wait for one.
import { h, panel, setText } from '../app/dom.js';
import { formatBytes, formatCount, formatMicros, formatPercent, formatRatio } from '../app/format.js';
import type { Records } from '../app/records.js';
import type { Session } from '../app/session.js';
import { RATE_SMOOTH_MS, WRITE_AMP_WINDOW_MS, type RatePoint } from '../model/rates.js';
import { LineChart, type LineChartOptions } from './line-chart.js';
import './charts.css';

interface ChartSpec extends LineChartOptions {
  pick: (p: RatePoint) => (number | null)[];
  /** Shown across the plot when the window holds no value. */
  empty: string;
}

const WINDOWS = [
  { label: '1 min', ms: 60_000 },
  { label: '5 min', ms: 5 * 60_000 },
] as const;
const WINDOW_KEY = 'stratadb.charts.window';

function formatRate(v: number): string {
  return v === 0 ? '0' : v < 10 ? v.toFixed(1) : formatCount(Math.round(v));
}

/** A round microsecond tick, short: 250µs, 2.5ms, 1s. */
function microsTick(v: number): string {
  if (v === 0) return '0';
  if (v < 1000) return `${+v.toPrecision(3)}µs`;
  if (v < 1e6) return `${+(v / 1000).toPrecision(3)}ms`;
  return `${+(v / 1e6).toPrecision(3)}s`;
}

const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** A byte tick, short enough for the axis: 512B, 98K, 1.5M. */
function bytesTick(v: number): string {
  if (v < 1024) return `${Math.round(v)}B`;
  if (v < 1024 * 1024) return `${+(v / 1024).toPrecision(3)}K`;
  return `${+(v / (1024 * 1024)).toPrecision(3)}M`;
}

const SMOOTH = `${RATE_SMOOTH_MS / 1000} s`;
/** The caller's write latency: durable writes when there were any, else deferred ones. */
const callerWrite = (p: RatePoint, which: 'P50' | 'P99') => p[`callerDurable${which}`] ?? p[`callerDeferred${which}`];

const CHARTS: ChartSpec[] = [
  {
    id: 'chart-ops',
    title: 'Operations / s',
    hint: `Per second over the last ${SMOOTH} at each sample. writes: put, delete and batch calls (a batch counts once).`,
    series: [
      { label: 'writes', tone: 0 },
      { label: 'gets', tone: 1 },
      { label: 'scans', tone: 2 },
    ],
    format: formatRate,
    tickFormat: (v) => (v < 1000 ? String(+v.toPrecision(3)) : formatCount(v)),
    minSpan: 10,
    pick: (p) => [p.writesPerSec, p.getsPerSec, p.scansPerSec],
    empty: 'idle',
  },
  {
    id: 'chart-write-latency',
    title: 'Write latency',
    hint:
      `engine: the engine's own time per write call (p50, p99 of its histogram). caller: from handing writes to the database worker to their promise settling, ` +
      `as the Workload tab measures it; for durable writes that includes waiting for their commit. Over the last ${SMOOTH}.`,
    series: [
      { label: 'engine p50', tone: 0 },
      { label: 'engine p99', tone: 2 },
      { label: 'caller p50', tone: 1 },
      { label: 'caller p99', tone: 3 },
    ],
    format: formatMicros,
    tickFormat: microsTick,
    minSpan: 10,
    pick: (p) => [p.putP50, p.putP99, callerWrite(p, 'P50'), callerWrite(p, 'P99')],
    empty: 'no writes',
  },
  {
    id: 'chart-get-latency',
    title: 'Get latency',
    hint: `engine: p50 and p99 of the gets, from the engine's histogram. caller: p99 of the Workload tab's reads through the worker. Over the last ${SMOOTH}.`,
    series: [
      { label: 'engine p50', tone: 1 },
      { label: 'engine p99', tone: 3 },
      { label: 'caller p99', tone: 0 },
    ],
    format: formatMicros,
    tickFormat: microsTick,
    minSpan: 10,
    pick: (p) => [p.getP50, p.getP99, p.callerReadP99],
    empty: 'no gets',
  },
  {
    id: 'chart-commits',
    title: 'Commits / s',
    hint: `IndexedDB transactions that made writes durable, per second over the last ${SMOOTH}. Writes that arrive while one runs share the next.`,
    series: [{ label: 'commits', tone: 0 }],
    format: formatRate,
    tickFormat: (v) => String(+v.toPrecision(3)),
    minSpan: 5,
    pick: (p) => [p.commitsPerSec],
    empty: 'no commits',
  },
  {
    id: 'chart-commit-latency',
    title: 'Commit latency',
    hint: `Mean time of the commits of the last ${SMOOTH}, from closing the WAL segment to IndexedDB saying durable. A durable write waits for the commit under way, then its own.`,
    series: [{ label: 'mean', tone: 3 }],
    format: formatMicros,
    tickFormat: microsTick,
    minSpan: 1000,
    pick: (p) => [p.commitMicros],
    empty: 'no commits',
  },
  {
    id: 'chart-commit-size',
    title: 'Bytes per commit',
    hint: `Mean bytes stored per commit over the last ${SMOOTH}: WAL segments, and tables written by flushes and compactions.`,
    series: [{ label: 'bytes', tone: 1 }],
    format: formatBytes,
    tickFormat: bytesTick,
    minSpan: 1024,
    pick: (p) => [p.commitBytes],
    empty: 'no commits',
  },
  {
    id: 'chart-commit-waiting',
    title: 'Writes waiting for a commit',
    hint: 'Writers waiting for their writes to become durable, at each sample: the commit under way and the one after it.',
    series: [{ label: 'waiting', tone: 2 }],
    format: (v) => formatCount(Math.round(v)),
    tickFormat: (v) => (v < 1000 ? String(+v.toPrecision(3)) : formatCount(v)),
    minSpan: 10,
    pick: (p) => [p.commitWaiting],
    empty: 'none',
  },
  {
    id: 'chart-bloom',
    title: 'Bloom useful negatives',
    hint: 'Share of bloom filter checks that ruled a table out, so it was not read.',
    series: [{ label: 'useful', tone: 2 }],
    format: formatPercent,
    tickFormat: percentTick,
    fixedMax: 1,
    pick: (p) => [p.bloomUseful],
    empty: 'no bloom checks',
  },
  {
    id: 'chart-cache',
    title: 'Block cache hits',
    hint: 'Share of table block reads served from the block cache.',
    series: [{ label: 'hit rate', tone: 0 }],
    format: formatPercent,
    tickFormat: percentTick,
    fixedMax: 1,
    pick: (p) => [p.cacheHit],
    empty: 'no block reads',
  },
  {
    id: 'chart-write-amp',
    title: 'Write amplification',
    hint: `Bytes written by WAL, flushes and compactions per user byte written: since the database was opened, and over the last ${WRITE_AMP_WINDOW_MS / 1000} s (shown once 64 KiB were written).`,
    series: [
      { label: 'since open', tone: 1 },
      { label: `last ${WRITE_AMP_WINDOW_MS / 1000} s`, tone: 0 },
    ],
    format: formatRatio,
    tickFormat: (v) => `${+v.toPrecision(3)}×`,
    minSpan: 2,
    pick: (p) => [p.writeAmp, p.writeAmpRecent],
    empty: 'no writes',
  },
];

function savedWindow(): number {
  try {
    const ms = Number(localStorage.getItem(WINDOW_KEY));
    if (WINDOWS.some((w) => w.ms === ms)) return ms;
  } catch {
    // storage may be blocked: use the default
  }
  return WINDOWS[0].ms;
}

export function mountCharts(session: Session, records: Records): HTMLElement {
  const history = records.rates;
  let windowMs = savedWindow();

  const buttons = WINDOWS.map((w) =>
    h('button', { class: 'btn', type: 'button', 'aria-pressed': String(w.ms === windowMs), title: `Show the last ${w.label}` }, w.label),
  );
  const selector = h('span', { class: 'charts-window', role: 'group', 'aria-label': 'Time window' }, ...buttons);
  const { section, body } = panel('panel-charts', 'Throughput and latency', selector);
  const charts = CHARTS.map((spec) => ({ spec, chart: new LineChart(spec) }));
  const commitLine = h('p', { class: 'charts-commits num muted', id: 'charts-commits' });
  body.append(commitLine, h('div', { class: 'charts-grid' }, ...charts.map((c) => c.chart.element)));

  let end = Date.now();
  const render = () => {
    const points = history.points;
    const last = points[points.length - 1];
    if (last) end = last.at;
    const times = points.map((p) => p.at);
    const message = !session.db ? 'no database open' : points.length === 0 ? 'collecting…' : undefined;
    setText(commitLine, commitText(last, session.role));
    for (const { spec, chart } of charts) {
      const picked = points.map(spec.pick);
      const values = spec.series.map((_, s) => picked.map((row) => row[s] ?? null));
      chart.update({ end, windowMs, times, values }, message ?? spec.empty);
    }
  };

  buttons.forEach((button, i) =>
    button.addEventListener('click', () => {
      windowMs = WINDOWS[i]!.ms;
      buttons.forEach((b, j) => b.setAttribute('aria-pressed', String(i === j)));
      try {
        localStorage.setItem(WINDOW_KEY, String(windowMs));
      } catch {
        // not remembered; still applied
      }
      render();
    }),
  );

  const invalidate = session.painter.add(render);
  records.on('rates', invalidate);
  session.listen({
    switched() {
      end = Date.now();
      invalidate();
    },
  });
  render();
  return section;
}

/** The commit pipeline in one line: how often, how big, how long, how many wait. */
function commitText(p: RatePoint | undefined, role: string | undefined): string {
  if (role === 'viewer') return 'Viewer: the charts are the writer’s, as its tab saved them.';
  if (!p) return 'Commits: –';
  if (p.commitMicros === null) return `Commits: none in the last ${SMOOTH} · ${formatCount(p.commitWaiting)} writes waiting`;
  return (
    `Commits: ${p.commitsPerSec.toFixed(1)}/s · ${formatBytes(p.commitBytes ?? 0)} each · ${formatMicros(p.commitMicros)} each · ` +
    `${formatCount(p.commitWaiting)} writes waiting`
  );
}
