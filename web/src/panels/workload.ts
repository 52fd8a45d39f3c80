// The Workload tab: a form to start one of the generator's loads on the
// open database, and a live status that says whether the engine keeps up
// and, if not, which stage holds it back (model/throughput.ts): target
// against achieved rate, operations in flight, owed and skipped, the
// latency each kind of call had as the caller saw it beside the engine's
// own, and a one-minute chart of the achieved rate with write stalls marked.
// The generator ticks on its own timer; the status is drawn by the painter.
import './workload.css';
import type { Stats } from 'stratadb';
import { h, replace, setText, svg } from '../app/dom.js';
import { formatCount, formatMicros, formatPercent } from '../app/format.js';
import type { Records } from '../app/records.js';
import type { Session } from '../app/session.js';
import { CALL_KINDS, type CallKind } from '../model/latency-window.js';
import { RATE_SMOOTH_MS } from '../model/rates.js';
import { flowVerdict } from '../model/throughput.js';
import { DEFAULT_CONFIG, parseWorkloadForm, type WorkloadForm } from '../workload/config.js';
import { RECENT_MS, TICK_MS, WorkloadGenerator, type GeneratorStatus } from '../workload/generator.js';
import { formatKey } from '../workload/keys.js';
import { MIXES, describeKeys, describeShares, mixOf, type WorkloadKind } from '../workload/mix.js';
import { meter } from './meter.js';

const HISTORY_SECONDS = 60;
/** The chart's viewBox is 300 x 60; its top CHART_TOP units are the label's. */
const CHART_TOP = 16;
const CHART_BOTTOM = 58;
/** The caller latencies in the table span this long. */
const LATENCY_WINDOW_MS = 10_000;

const KIND_TEXT: Record<CallKind, string> = { durable: 'durable writes', deferred: 'deferred writes', read: 'reads' };

interface HistoryPoint {
  achieved: number;
  target: number;
  stalled: boolean;
}

export function mountWorkload(session: Session, records: Records): HTMLElement {
  const kind = h(
    'select',
    { id: 'workload-kind', name: 'kind' },
    ...MIXES.map((m) => h('option', { value: m.kind, selected: m.kind === DEFAULT_CONFIG.kind }, m.label)),
  );
  const numberInput = (id: string, name: string, value: number) =>
    h('input', { id, name, type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', value: String(value) });
  const rate = numberInput('workload-rate', 'rate', DEFAULT_CONFIG.rate);
  const keys = numberInput('workload-keys', 'keySpace', DEFAULT_CONFIG.keySpace);
  const valueSize = numberInput('workload-value-size', 'valueSize', DEFAULT_CONFIG.valueSize);
  const durability = h(
    'select',
    { id: 'workload-durability', name: 'durability' },
    h('option', { value: 'default' }, 'the database’s'),
    h('option', { value: 'durable' }, 'durable'),
    h('option', { value: 'deferred' }, 'deferred'),
  );
  const inputs = { kind, rate, keySpace: keys, valueSize } as const;

  const field = (label: string, control: HTMLElement, hint: string) =>
    h('label', { class: 'wl-field' }, h('span', {}, label), control, h('small', { class: 'muted' }, hint));

  const mixShares = h('strong', { class: 'wl-shares' });
  const mixKeys = h('span', { class: 'wl-keys mono' });
  const mixWhy = h('span', { class: 'muted' });
  const start = h('button', { id: 'workload-start', class: 'btn primary', type: 'submit' }, 'Start');
  const stop = h('button', { id: 'workload-stop', class: 'btn danger', type: 'button', disabled: true }, 'Stop');
  const error = h('p', { id: 'workload-error', class: 'error-line wl-error', role: 'alert' });

  const form = h(
    'form',
    { class: 'wl-form', novalidate: true },
    h(
      'div',
      { class: 'wl-fields' },
      field('Workload', kind, 'the operation mix'),
      field('Rate (ops/s)', rate, '1 – 50,000'),
      field('Key space', keys, '1 – 10,000,000 keys'),
      field('Value size (bytes)', valueSize, '1 – 65,536'),
      field('Writes', durability, 'durable: each waits for its commit'),
    ),
    h('p', { class: 'wl-mix' }, mixShares, ' — ', mixKeys, h('br'), mixWhy),
    h('div', { class: 'row' }, start, stop),
    error,
  );

  // Status
  const stateBadge = h('span', { class: 'badge', 'data-state': 'idle' }, 'idle');
  const stateText = h('span', { class: 'wl-state-text muted' }, 'Not running. Pick a workload and press Start.');
  const stallBadge = h('span', { class: 'badge bad wl-stall', 'aria-hidden': 'true' }, 'write stall');
  const achieved = h('span', { class: 'num wl-big' }, '–');
  const target = h('span', { class: 'num muted wl-target' }, '–');
  const rateMeter = meter('Achieved rate against the target');
  rateMeter.element.title = 'achieved / target rate';
  const why = h('p', { class: 'wl-why num', id: 'workload-why', 'data-stage': 'idle' });
  const flightMeter = meter('Operations in flight against the most allowed');
  const stallMarks = svg('g');
  const targetLine = svg('polyline', { class: 'wl-chart-target', points: '' });
  const achievedLine = svg('polyline', { class: 'wl-chart-achieved', points: '' });
  const chart = svg(
    'svg',
    { class: 'wl-chart', viewBox: '0 0 300 60', preserveAspectRatio: 'none', role: 'img', 'aria-label': 'achieved ops/s over the last minute' },
    stallMarks,
    targetLine,
    achievedLine,
  );
  const chartLabel = h('span', { class: 'wl-chart-label num muted' });
  const values: Record<string, HTMLElement> = {};
  const kvRow = (label: string, name: string, title?: string) => {
    values[name] = h('dd', { class: 'num' }, '–');
    return [h('dt', { title }, label), values[name]!];
  };
  const numCell = () => h('td', { class: 'num' }, '–');
  const latencyCells = new Map<CallKind, HTMLElement[]>(CALL_KINDS.map((k) => [k, [numCell(), numCell(), numCell()]]));
  const engineCells = [numCell(), numCell(), numCell()];
  const latencyTable = h(
    'table',
    { class: 'table wl-latency', id: 'workload-latency' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { title: `What the generator measured over the last ${LATENCY_WINDOW_MS / 1000} s, from sending a call to the worker to its promise settling` }, 'Latency as the caller sees it'),
        h('th', { class: 'num' }, 'p50'),
        h('th', { class: 'num' }, 'p99'),
        h('th', { class: 'num' }, 'ops'),
      ),
    ),
    h(
      'tbody',
      {},
      ...CALL_KINDS.map((k) => h('tr', { 'data-kind': k }, h('td', {}, KIND_TEXT[k]), ...latencyCells.get(k)!)),
      h('tr', { 'data-kind': 'engine' }, h('td', { title: 'The engine’s own time per write call and per get, from its histograms' }, 'engine: writes · gets'), ...engineCells),
    ),
  );
  const status = h(
    'div',
    { id: 'workload-status', class: 'wl-status', 'data-state': 'idle', 'aria-live': 'off' },
    h('div', { class: 'row wl-state' }, stateBadge, stateText, stallBadge),
    h(
      'div',
      { class: 'wl-rate' },
      h('div', { class: 'wl-rate-line' }, achieved, h('span', { class: 'muted' }, 'ops/s of'), target, h('span', { class: 'muted' }, 'target')),
      rateMeter.element,
      why,
    ),
    h('div', { class: 'wl-chart-box' }, chartLabel, chart),
    h(
      'dl',
      { class: 'kv wl-kv' },
      ...kvRow('Elapsed', 'elapsed'),
      ...kvRow('Issued', 'issued', 'Operations sent, and the messages they went in'),
      ...kvRow('Done', 'done'),
      h('dt', {}, 'In flight'),
      h('dd', { class: 'wl-flight' }, (values.flight = h('span', { class: 'num' }, '–')), flightMeter.element),
      ...kvRow('Owed', 'owed', 'Operations due but not sent yet: the in-flight bound held them back'),
      ...kvRow('Skipped', 'skipped', 'Operations that fell due but were dropped: more than a second’s worth was owed'),
      ...kvRow('Page timer', 'lag', `How late the generator's 50 ms timer ran at worst in the last ${RECENT_MS / 1000} s`),
      ...kvRow('Errors', 'errors'),
      ...kvRow('Last error', 'lastError'),
    ),
    latencyTable,
  );

  let generator: WorkloadGenerator | undefined;
  let tickTimer: ReturnType<typeof setInterval> | undefined;
  // A write stall is on from its begin event to its end; "recent" for RECENT_MS after.
  let stalled = false;
  let stallSeenAt = -Infinity;
  let stallInSecond = false;
  let history: HistoryPoint[] = [];
  let lastHistoryAt = 0;

  const showMix = () => {
    const mix = mixOf(kind.value as WorkloadKind);
    const parsedKeys = parseWorkloadForm({ kind: kind.value, rate: '1', keySpace: keys.value, valueSize: '1' });
    setText(mixShares, describeShares(mix));
    setText(mixKeys, describeKeys(mix, parsedKeys.ok ? parsedKeys.value.keySpace : DEFAULT_CONFIG.keySpace, formatKey));
    setText(mixWhy, mix.why);
  };

  const setRunning = (running: boolean) => {
    for (const input of [...Object.values(inputs), durability]) input.disabled = running;
    start.disabled = running;
    stop.disabled = !running;
  };

  const clearError = () => {
    setText(error, '');
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
  };

  const fail = (message: string, input?: HTMLElement) => {
    setText(error, message);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  };

  /** The chart's point of the second just past, taken on the generator's timer (drawing waits while the tab is hidden; time does not). */
  const recordSecond = () => {
    const s = generator?.status();
    const now = performance.now();
    if (!s || now - lastHistoryAt < 1000) return;
    lastHistoryAt = now;
    history.push({ achieved: s.achievedRate, target: s.running ? s.targetRate : 0, stalled: stallInSecond || stalled });
    stallInSecond = false;
    if (history.length > HISTORY_SECONDS) history = history.slice(-HISTORY_SECONDS);
    redrawChart();
  };

  const draw = () => {
    const s = generator?.status();
    if (!s) return;
    const now = performance.now();
    // Hidden by visibility, so the line does not reflow as stalls come and go.
    const stalling = s.running && (stalled || now - stallSeenAt < 1000);
    stallBadge.classList.toggle('on', stalling);
    stallBadge.setAttribute('aria-hidden', String(!stalling));
    drawStatus(s, now);
  };

  const drawStatus = (s: GeneratorStatus, now: number) => {
    const state = s.running ? 'running' : s.failed ? 'failed' : 'stopped';
    status.dataset.state = state;
    // Machine-readable for the responsiveness bench (web/bench).
    status.dataset.done = String(s.done.put + s.done.get + s.done.delete);
    status.dataset.elapsedMs = String(Math.round(s.elapsedMs));
    status.dataset.target = String(s.targetRate);
    status.dataset.skipped = String(s.skipped);
    stateBadge.dataset.state = state;
    stateBadge.className = `badge ${state === 'running' ? 'ok' : state === 'failed' ? 'bad' : ''}`;
    setText(stateBadge, state);
    const mix = mixOf(s.config.kind);
    setText(
      stateText,
      s.running
        ? `${mix.label} · ${describeShares(mix)} · ${formatCount(s.config.keySpace)} keys · ${s.config.valueSize} B values · ${s.durability} writes`
        : (s.stopReason ?? 'stopped') + (s.inFlight > 0 ? ` (${s.inFlight} still in flight)` : ''),
    );
    stateText.classList.toggle('bad', state === 'failed');
    stateText.classList.toggle('muted', state !== 'failed');
    setText(achieved, formatCount(Math.round(s.achievedRate)));
    setText(target, formatCount(s.targetRate));
    const ratio = s.targetRate > 0 ? s.achievedRate / s.targetRate : 0;

    const latest = records.rates.latest;
    const stats = session.lastStats?.stats;
    const verdict = flowVerdict({
      running: s.running,
      elapsedMs: s.elapsedMs,
      targetRate: s.targetRate,
      owed: s.owed,
      skippedRecent: s.skippedRecent,
      inFlight: s.inFlight,
      maxInFlight: s.maxInFlight,
      tickLagMs: s.tickLagMs,
      stalled: stalled || now - stallSeenAt < RECENT_MS,
      durable: s.durability === 'durable',
      commits: latest && stats ? { perSec: latest.commitsPerSec, meanMicros: latest.commitMicros, waiting: stats.commits.waiting } : undefined,
    });
    setText(why, verdict.text || (s.running ? '' : `achieved ${formatPercent(s.elapsedMs > 0 ? (s.done.put + s.done.get + s.done.delete) / ((s.targetRate * s.elapsedMs) / 1000) : 0)} of the target over the run`));
    why.dataset.stage = verdict.stage;
    why.className = `wl-why num ${verdict.behind ? 'bad' : verdict.stage === 'keeping-up' ? 'ok' : 'muted'}`;
    rateMeter.set(ratio, verdict.behind ? 'bad' : 'ok');
    const flight = s.inFlight / s.maxInFlight;
    flightMeter.set(flight, flight >= 0.99 ? 'bad' : flight > 0.5 ? 'warn' : 'ok');
    setText(values.flight!, `${formatCount(s.inFlight)} / ${formatCount(s.maxInFlight)}`);
    setText(values.elapsed!, `${(s.elapsedMs / 1000).toFixed(1)} s`);
    setText(values.issued!, `${formatCount(s.issued)} in ${formatCount(s.calls)} messages`);
    setText(values.done!, `${formatCount(s.done.put)} put · ${formatCount(s.done.get)} get · ${formatCount(s.done.delete)} del`);
    setText(values.owed!, formatCount(s.owed));
    values.owed!.classList.toggle('warn', s.owed > 0 && s.running);
    setText(values.skipped!, `${formatCount(s.skipped)}${s.skippedRecent > 0 ? ` (${formatCount(s.skippedRecent)} in the last ${RECENT_MS / 1000} s)` : ''}`);
    values.skipped!.classList.toggle('bad', s.skippedRecent > 0);
    setText(values.lag!, s.running ? `${Math.round(s.tickLagMs)} ms late at worst` : '–');
    setText(values.errors!, formatCount(s.errors));
    values.errors!.classList.toggle('bad', s.errors > 0);
    setText(values.lastError!, s.lastError ?? '–');
    values.lastError!.title = s.lastError ?? '';
    values.lastError!.classList.toggle('bad', s.lastError !== undefined);
    drawLatency(now, stats);
  };

  const drawLatency = (now: number, stats: Stats | undefined) => {
    for (const k of CALL_KINDS) {
      const l = records.caller.summary(k, now, LATENCY_WINDOW_MS);
      const [p50, p99, ops] = latencyCells.get(k)!;
      setText(p50!, l.p50 === null ? '–' : formatMicros(l.p50));
      setText(p99!, l.p99 === null ? '–' : formatMicros(l.p99));
      setText(ops!, formatCount(l.count));
    }
    const latest = records.rates.latest;
    const [p50, p99, ops] = engineCells;
    const pair = (a: number | null | undefined, b: number | null | undefined) => `${a == null ? '–' : formatMicros(a)} · ${b == null ? '–' : formatMicros(b)}`;
    setText(p50!, pair(latest?.putP50, latest?.getP50));
    setText(p99!, pair(latest?.putP99, latest?.getP99));
    setText(ops!, stats ? `last ${RATE_SMOOTH_MS / 1000} s` : '–');
  };

  const drawChart = () => {
    const peak = Math.max(0, ...history.map((p) => p.achieved));
    setText(chartLabel, `achieved ops/s, last ${HISTORY_SECONDS} s · peak ${formatCount(Math.round(peak))}`);
    const top = Math.max(1, ...history.map((p) => Math.max(p.achieved, p.target))) * 1.1;
    const x = (i: number) => ((i + HISTORY_SECONDS - history.length) / (HISTORY_SECONDS - 1)) * 300;
    const y = (v: number) => CHART_BOTTOM - (v / top) * (CHART_BOTTOM - CHART_TOP);
    const line = (pick: (p: HistoryPoint) => number) =>
      history.length > 1 ? history.map((p, i) => `${x(i).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ') : '';
    targetLine.setAttribute('points', line((p) => p.target));
    achievedLine.setAttribute('points', line((p) => p.achieved));
    // The marks move left each second: the few (one per stalled second) are redrawn.
    replace(stallMarks, ...history.map((p, i) => (p.stalled ? svg('rect', { class: 'wl-chart-stall', x: x(i) - 2.5, y: 0, width: 5, height: 60 }) : null)));
  };

  const active = () => generator !== undefined && (generator.isRunning || generator.pending > 0);
  const root = h('div', { class: 'workload' }, form, status);
  session.painter.every(draw, active, root);
  const redrawChart = session.painter.add(drawChart, root);

  const stopRun = (reason: string) => {
    generator?.stop(reason);
  };

  const startRun = () => {
    clearError();
    const formValues: WorkloadForm = { kind: kind.value, rate: rate.value, keySpace: keys.value, valueSize: valueSize.value };
    const parsed = parseWorkloadForm(formValues);
    if (!parsed.ok) return fail(parsed.error, inputs[parsed.field]);
    const db = session.db;
    if (!db || db.closed) return fail('No database is open: open or create one in the Databases tab first.');
    if (db.readOnlyError) return fail(`The database is read-only (${db.readOnlyError.message}); every workload writes, so none can run.`);
    if (session.role === 'viewer') return fail('This tab is a viewer: another tab writes to this database. Every workload writes, so none can run here (take over writing first).');
    const config = parsed.value;
    history = [];
    lastHistoryAt = performance.now();
    drawChart();
    const chosen = durability.value === 'durable' ? true : durability.value === 'deferred' ? false : undefined;
    generator = new WorkloadGenerator(db, config, {
      now: () => performance.now(),
      durable: chosen,
      defaultDurable: session.durableByDefault,
      onLatency: (k, micros, count) => records.caller.record(k, performance.now(), micros, count),
      onStop: (reason, failed) => {
        clearInterval(tickTimer);
        tickTimer = undefined;
        setRunning(false);
        const s = generator?.status();
        session.note(failed ? 'error' : 'info', `workload ${reason}`, s ? summary(s) : {});
        session.painter.invalidateAll();
      },
    });
    setRunning(true);
    session.note('info', `workload started: ${mixOf(config.kind).label}`, { ...config, durability: generator.status().durability });
    tickTimer = setInterval(() => {
      generator?.tick();
      recordSecond();
    }, TICK_MS);
    generator.tick();
    session.painter.invalidateAll();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!generator?.isRunning) startRun();
  });
  stop.addEventListener('click', () => stopRun('stopped by you'));
  kind.addEventListener('change', showMix);
  keys.addEventListener('input', showMix);
  for (const input of Object.values(inputs)) input.addEventListener('input', clearError);

  session.listen({
    switched: (name) => {
      stopRun(name ? `stopped: switched to database ${name}` : 'stopped: the database was closed');
      stalled = false;
    },
    event: (event) => {
      if (event.type !== 'write-stall') return;
      stalled = event.stalled; // one begin and one end per stall
      stallSeenAt = performance.now();
      stallInSecond = true;
    },
  });

  showMix();
  return root;
}

function summary(s: GeneratorStatus): Record<string, unknown> {
  const done = s.done.put + s.done.get + s.done.delete;
  return {
    kind: s.config.kind,
    durability: s.durability,
    seconds: Math.round(s.elapsedMs / 100) / 10,
    targetRate: s.targetRate,
    achieved: s.elapsedMs > 0 ? Math.round((done * 1000) / s.elapsedMs) : 0,
    issued: s.issued,
    messages: s.calls,
    done: s.done,
    skipped: s.skipped,
    errors: s.errors,
    ...(s.lastError ? { lastError: s.lastError } : {}),
  };
}
