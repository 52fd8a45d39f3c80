// A small SVG line chart: a fixed-height plot as wide as its container
// (ResizeObserver), y axis from 0 auto-scaled to round ticks, a time axis of
// the last N minutes ending now, up to three series, the newest values in
// the corner and a read-out of any instant under the pointer.
//
// A value of null (nothing measured in that interval) breaks the line, as
// does a gap in time longer than GAP_MS (the tab was in the background or
// the database was closed), so the chart never draws what it did not see.
import { h, setText, svg } from '../app/dom.js';
import { formatClock } from '../app/format.js';
import { niceScale, timeTicks, type NiceScale } from '../model/chart-scale.js';
import './line-chart.css';

export interface SeriesSpec {
  label: string;
  /** Colour slot 0..3 (CSS .tone-N). */
  tone: number;
}

export interface LineChartOptions {
  id: string;
  title: string;
  /** What the chart measures, as the title's tooltip. */
  hint?: string;
  series: SeriesSpec[];
  /** A value as the read-out prints it. */
  format: (v: number) => string;
  /** A y-axis tick label (short); defaults to format. */
  tickFormat?: (v: number) => string;
  /** A fixed top of the y axis (1 for a fraction shown as percent); otherwise auto. */
  fixedMax?: number;
  /** The least y range of an auto scale, so idle noise does not fill the plot. */
  minSpan?: number;
}

export interface ChartData {
  /** The right edge (ms, Date.now() clock) and the window's length. */
  end: number;
  windowMs: number;
  times: readonly number[];
  /** One array per series, aligned with times. */
  values: readonly (readonly (number | null)[])[];
}

const HEIGHT = 116;
const MARGIN = { top: 8, right: 8, bottom: 18, left: 48 };
/** A longer pause between two points than this breaks the line. */
const GAP_MS = 5_000;

export class LineChart {
  readonly element: HTMLElement;
  private readonly plot: HTMLElement;
  private readonly root: SVGSVGElement;
  private readonly grid: SVGGElement;
  private readonly xAxis: SVGGElement;
  private readonly lines: SVGPathElement[];
  private readonly cursor: SVGLineElement;
  private readonly dots: SVGCircleElement[];
  private readonly message: SVGTextElement;
  private readonly readouts: HTMLElement[];
  private readonly when: HTMLElement;
  private width = 0;
  private data: ChartData | undefined;
  private scale: NiceScale | undefined;
  private gridKey = '';
  private axisKey = '';
  private hoverX: number | undefined;
  private emptyText = '';
  private readonly gridLines: { line: SVGLineElement; label: SVGTextElement }[] = [];

  constructor(private readonly options: LineChartOptions) {
    this.grid = svg('g', { class: 'chart-grid' });
    this.xAxis = svg('g', { class: 'chart-xaxis' });
    this.lines = options.series.map((s) => svg('path', { class: `chart-line tone-${s.tone}`, d: '' }));
    this.cursor = svg('line', { class: 'chart-cursor', x1: 0, x2: 0, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, visibility: 'hidden' });
    this.dots = options.series.map((s) => svg('circle', { class: `chart-dot tone-${s.tone}`, r: 2.5, cx: 0, cy: 0, visibility: 'hidden' }));
    this.message = svg('text', { class: 'chart-message', 'text-anchor': 'middle', x: 0, y: HEIGHT / 2 });
    this.root = svg(
      'svg',
      { class: 'chart-svg', height: HEIGHT, role: 'img', 'aria-label': options.title },
      this.grid,
      this.xAxis,
      ...this.lines,
      this.cursor,
      ...this.dots,
      this.message,
    );
    this.plot = h('div', { class: 'chart-plot' }, this.root);

    this.readouts = options.series.map(() => h('span', { class: 'chart-value num' }, '–'));
    this.when = h('span', { class: 'chart-when num muted' });
    this.element = h(
      'figure',
      { class: 'chart', id: options.id },
      h(
        'figcaption',
        { class: 'chart-head' },
        h('span', { class: 'chart-title', title: options.hint }, options.title, this.when),
        h(
          'span',
          { class: 'chart-legend' },
          ...options.series.map((s, i) =>
            h('span', { class: 'chart-key' }, h('span', { class: `chart-swatch tone-${s.tone}` }), h('span', { class: 'chart-label' }, s.label), this.readouts[i]!),
          ),
        ),
      ),
      this.plot,
    );

    new ResizeObserver((entries) => {
      const width = Math.floor(entries[entries.length - 1]?.contentRect.width ?? 0);
      if (width > 0 && width !== this.width) {
        this.width = width;
        this.render();
      }
    }).observe(this.plot);

    this.root.addEventListener('pointermove', (e) => {
      const box = this.root.getBoundingClientRect();
      this.hoverX = e.clientX - box.left;
      this.renderHover();
    });
    this.root.addEventListener('pointerleave', () => {
      this.hoverX = undefined;
      this.renderHover();
    });
  }

  /** New data; `empty` is shown across the plot when there is nothing to draw. */
  update(data: ChartData, empty = 'no data yet'): void {
    this.data = data;
    this.emptyText = empty;
    this.render();
  }

  private x(t: number): number {
    const data = this.data!;
    const inner = this.width - MARGIN.left - MARGIN.right;
    return MARGIN.left + inner * (1 - (data.end - t) / data.windowMs);
  }

  private y(v: number): number {
    const scale = this.scale!;
    const inner = HEIGHT - MARGIN.top - MARGIN.bottom;
    const clamped = Math.min(Math.max(v, scale.min), scale.max);
    return MARGIN.top + inner * (1 - (clamped - scale.min) / (scale.max - scale.min));
  }

  private render(): void {
    const data = this.data;
    if (!data || this.width <= 0) return;
    this.root.setAttribute('width', String(this.width));
    this.root.setAttribute('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    const start = data.end - data.windowMs;

    // Only what is inside the window sets the scale.
    let first = 0;
    while (first < data.times.length && data.times[first]! < start) first++;
    let max = 0;
    let any = false;
    for (const series of data.values)
      for (let i = first; i < series.length; i++) {
        const v = series[i];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        any = true;
        if (v > max) max = v;
      }
    const fixed = this.options.fixedMax;
    this.scale = fixed !== undefined ? niceScale(0, fixed, 4, fixed) : niceScale(0, max, 4, this.options.minSpan ?? 1);

    this.renderGrid();
    this.renderTimeAxis(data.windowMs);

    // Lines: a new subpath after a null or a pause; a lone point is drawn as
    // a zero-length segment, which round caps turn into a dot.
    data.values.forEach((series, s) => {
      let d = '';
      let open = false;
      let lastT = -Infinity;
      for (let i = first; i < series.length; i++) {
        const v = series[i];
        const t = data.times[i]!;
        if (v === null || v === undefined || !Number.isFinite(v)) {
          open = false;
          continue;
        }
        const p = `${this.x(t).toFixed(1)} ${this.y(v).toFixed(1)}`;
        d += open && t - lastT <= GAP_MS ? ` L${p}` : ` M${p} h0`;
        open = true;
        lastT = t;
      }
      this.lines[s]!.setAttribute('d', d.trim());
    });

    this.message.setAttribute('x', String(MARGIN.left + (this.width - MARGIN.left - MARGIN.right) / 2));
    setText(this.message, any ? '' : this.emptyText);
    this.renderHover();
  }

  private renderGrid(): void {
    const scale = this.scale!;
    const fmt = this.options.tickFormat ?? this.options.format;
    const key = `${this.width}|${scale.ticks.join(',')}`;
    if (key === this.gridKey) return;
    this.gridKey = key;
    // One line and one label per tick, reused from the last scale: the
    // scale changes with the data, and new SVG text costs a layout of its own.
    while (this.gridLines.length < scale.ticks.length) {
      const line = svg('line', { x1: MARGIN.left });
      const label = svg('text', { 'text-anchor': 'end', 'dominant-baseline': 'middle' });
      label.appendChild(document.createTextNode(''));
      this.grid.append(line, label);
      this.gridLines.push({ line, label });
    }
    this.gridLines.forEach(({ line, label }, i) => {
      const tick = scale.ticks[i];
      const shown = tick !== undefined;
      line.setAttribute('visibility', shown ? 'visible' : 'hidden');
      label.setAttribute('visibility', shown ? 'visible' : 'hidden');
      if (!shown) return;
      const y = this.y(tick).toFixed(1);
      line.setAttribute('x2', String(this.width - MARGIN.right));
      line.setAttribute('y1', y);
      line.setAttribute('y2', y);
      label.setAttribute('x', String(MARGIN.left - 5));
      label.setAttribute('y', y);
      setText(label, fmt(tick));
    });
  }

  private renderTimeAxis(windowMs: number): void {
    const key = `${this.width}|${windowMs}`;
    if (key === this.axisKey) return;
    this.axisKey = key;
    while (this.xAxis.firstChild) this.xAxis.removeChild(this.xAxis.firstChild);
    const inner = this.width - MARGIN.left - MARGIN.right;
    const ticks = timeTicks(windowMs);
    ticks.forEach((tick, i) => {
      const x = MARGIN.left + inner * (1 - tick.ago / windowMs);
      this.xAxis.appendChild(svg('line', { x1: x.toFixed(1), x2: x.toFixed(1), y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }));
      const anchor = i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle';
      const label = svg('text', { x: x.toFixed(1), y: HEIGHT - 4, 'text-anchor': anchor });
      label.textContent = tick.label;
      this.xAxis.appendChild(label);
    });
  }

  /** The read-out: the point under the pointer, or else the newest values. */
  private renderHover(): void {
    const data = this.data;
    if (!data) return;
    let index = data.times.length - 1;
    let hovering = false;
    if (this.hoverX !== undefined && data.times.length > 0 && this.width > 0) {
      const inner = this.width - MARGIN.left - MARGIN.right;
      const t = data.end - data.windowMs * (1 - (this.hoverX - MARGIN.left) / inner);
      index = nearestIndex(data.times, t);
      hovering = index >= 0 && data.times[index]! >= data.end - data.windowMs;
    }
    const t = data.times[index];
    this.options.series.forEach((_, s) => {
      const v = index >= 0 ? data.values[s]?.[index] : undefined;
      setText(this.readouts[s]!, v === null || v === undefined || !Number.isFinite(v) ? '–' : this.options.format(v));
      const dot = this.dots[s]!;
      if (hovering && t !== undefined && v !== null && v !== undefined && Number.isFinite(v)) {
        dot.setAttribute('cx', this.x(t).toFixed(1));
        dot.setAttribute('cy', this.y(v).toFixed(1));
        dot.setAttribute('visibility', 'visible');
      } else dot.setAttribute('visibility', 'hidden');
    });
    if (hovering && t !== undefined) {
      const x = this.x(t).toFixed(1);
      this.cursor.setAttribute('x1', x);
      this.cursor.setAttribute('x2', x);
      this.cursor.setAttribute('visibility', 'visible');
      setText(this.when, formatClock(t));
    } else {
      this.cursor.setAttribute('visibility', 'hidden');
      setText(this.when, '');
    }
  }
}

/** Index of the time closest to t in ascending `times`; -1 when empty. */
function nearestIndex(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1]! - t) < Math.abs(times[lo]! - t)) return lo - 1;
  return lo;
}
