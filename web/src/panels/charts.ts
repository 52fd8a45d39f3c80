// Throughput and latency: small multiples of line charts over the last 1 or
// 5 minutes, from the per-interval rates of successive stats samples
// (model/rates.ts).
import { h, panel } from '../app/dom.js';
import { formatCount, formatMicros, formatPercent, formatRatio } from '../app/format.js';
import type { Session } from '../app/session.js';
import { RateHistory, WRITE_AMP_WINDOW_MS, type RatePoint } from '../model/rates.js';
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

const CHARTS: ChartSpec[] = [
  {
    id: 'chart-ops',
    title: 'Operations / s',
    hint: 'Per second over each half-second interval. writes: put, delete and batch calls (a batch counts once).',
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
    hint: 'p50 and p99 of the write calls (put, delete, batch) of each interval, from the latency histogram.',
    series: [
      { label: 'p50', tone: 0 },
      { label: 'p99', tone: 3 },
    ],
    format: formatMicros,
    tickFormat: microsTick,
    minSpan: 10,
    pick: (p) => [p.putP50, p.putP99],
    empty: 'no writes',
  },
  {
    id: 'chart-get-latency',
    title: 'Get latency',
    hint: 'p50 and p99 of the gets of each interval, from the latency histogram.',
    series: [
      { label: 'p50', tone: 1 },
      { label: 'p99', tone: 3 },
    ],
    format: formatMicros,
    tickFormat: microsTick,
    minSpan: 10,
    pick: (p) => [p.getP50, p.getP99],
    empty: 'no gets',
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
    hint: `Bytes written by WAL, flushes and compactions per user byte written: since the database was opened, and over the last ${WRITE_AMP_WINDOW_MS / 1000} s.`,
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

export function mountCharts(session: Session): HTMLElement {
  const history = new RateHistory();
  let windowMs = savedWindow();

  const buttons = WINDOWS.map((w) =>
    h('button', { class: 'btn', type: 'button', 'aria-pressed': String(w.ms === windowMs), title: `Show the last ${w.label}` }, w.label),
  );
  const selector = h('span', { class: 'charts-window', role: 'group', 'aria-label': 'Time window' }, ...buttons);
  const { section, body } = panel('panel-charts', 'Throughput and latency', selector);
  const charts = CHARTS.map((spec) => ({ spec, chart: new LineChart(spec) }));
  body.append(h('div', { class: 'charts-grid' }, ...charts.map((c) => c.chart.element)));

  let end = Date.now();
  const render = () => {
    const points = history.points;
    const last = points[points.length - 1];
    if (last) end = last.at;
    const times = points.map((p) => p.at);
    const message = !session.db ? 'no database open' : points.length === 0 ? 'collecting…' : undefined;
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

  session.listen({
    switched() {
      // Another database's counters do not continue this one's.
      history.clear();
      end = Date.now();
      render();
    },
    stats(sample) {
      history.push(sample);
      render();
    },
  });
  render();
  return section;
}
