// The Workload tab: a form to start one of the generator's loads on the
// open database, and a live status that shows whether the engine keeps up
// (target vs achieved rate, in-flight operations, backlog, errors), with a
// one-minute chart of the achieved rate and write stalls marked on it.
import './workload.css';
import { h, replace, setText, svg } from '../app/dom.js';
import { formatCount, formatPercent } from '../app/format.js';
import type { Session } from '../app/session.js';
import { DEFAULT_CONFIG, parseWorkloadForm, type WorkloadForm } from '../workload/config.js';
import { TICK_MS, WorkloadGenerator, type GeneratorStatus } from '../workload/generator.js';
import { formatKey } from '../workload/keys.js';
import { MIXES, describeKeys, describeShares, mixOf, type WorkloadKind } from '../workload/mix.js';
import { meter } from './meter.js';

const REFRESH_MS = 250;
const HISTORY_SECONDS = 60;
/** The chart's viewBox is 300 x 60; its top CHART_TOP units are the label's. */
const CHART_TOP = 16;
const CHART_BOTTOM = 58;

interface HistoryPoint {
  achieved: number;
  target: number;
  stalled: boolean;
}

export function mountWorkload(session: Session): HTMLElement {
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
  const keepUp = h('span', { class: 'num wl-keepup' }, '');
  const rateMeter = meter('Achieved rate against the target');
  rateMeter.element.title = 'achieved / target rate';
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
  const kvRow = (label: string, name: string) => {
    values[name] = h('dd', { class: 'num' }, '–');
    return [h('dt', {}, label), values[name]!];
  };
  const status = h(
    'div',
    { id: 'workload-status', class: 'wl-status', 'data-state': 'idle', 'aria-live': 'off' },
    h('div', { class: 'row wl-state' }, stateBadge, stateText, stallBadge),
    h(
      'div',
      { class: 'wl-rate' },
      h('div', { class: 'wl-rate-line' }, achieved, h('span', { class: 'muted' }, 'ops/s of'), target, h('span', { class: 'muted' }, 'target'), keepUp),
      rateMeter.element,
    ),
    h('div', { class: 'wl-chart-box' }, chartLabel, chart),
    h(
      'dl',
      { class: 'kv wl-kv' },
      ...kvRow('Elapsed', 'elapsed'),
      ...kvRow('Issued', 'issued'),
      ...kvRow('Done', 'done'),
      h('dt', {}, 'In flight'),
      h('dd', { class: 'wl-flight' }, (values.flight = h('span', { class: 'num' }, '–')), flightMeter.element),
      ...kvRow('Backlog', 'owed'),
      ...kvRow('Skipped', 'skipped'),
      ...kvRow('Errors', 'errors'),
      ...kvRow('Last error', 'lastError'),
    ),
  );

  let generator: WorkloadGenerator | undefined;
  let tickTimer: ReturnType<typeof setInterval> | undefined;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  // A write stall is on from its begin event to its end, and shown for a
  // second after.
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
    for (const input of Object.values(inputs)) input.disabled = running;
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

  const render = () => {
    const s = generator?.status();
    if (!s) return;
    const now = performance.now();
    if (now - lastHistoryAt >= 1000 && (s.running || s.inFlight > 0)) {
      lastHistoryAt = now;
      history.push({ achieved: s.achievedRate, target: s.running ? s.targetRate : 0, stalled: stallInSecond || stalled });
      stallInSecond = false;
      if (history.length > HISTORY_SECONDS) history = history.slice(-HISTORY_SECONDS);
      drawChart();
    }
    // Hidden by visibility, so the line does not reflow as stalls come and go.
    const stalling = s.running && (stalled || now - stallSeenAt < 1000);
    stallBadge.classList.toggle('on', stalling);
    stallBadge.setAttribute('aria-hidden', String(!stalling));
    renderStatus(s);
  };

  const renderStatus = (s: GeneratorStatus) => {
    const state = s.running ? 'running' : s.failed ? 'failed' : 'stopped';
    status.dataset.state = state;
    stateBadge.dataset.state = state;
    stateBadge.className = `badge ${state === 'running' ? 'ok' : state === 'failed' ? 'bad' : ''}`;
    setText(stateBadge, state);
    const mix = mixOf(s.config.kind);
    setText(
      stateText,
      s.running
        ? `${mix.label} · ${describeShares(mix)} · ${formatCount(s.config.keySpace)} keys · ${s.config.valueSize} B values`
        : (s.stopReason ?? 'stopped') + (s.inFlight > 0 ? ` (${s.inFlight} still in flight)` : ''),
    );
    stateText.classList.toggle('bad', state === 'failed');
    stateText.classList.toggle('muted', state !== 'failed');
    setText(achieved, formatCount(Math.round(s.achievedRate)));
    setText(target, formatCount(s.targetRate));
    const ratio = s.targetRate > 0 ? s.achievedRate / s.targetRate : 0;
    // Behind: below 90% of the target for a run past its first 2 s, or operations skipped.
    const behind = s.running && s.elapsedMs > 2500 && (ratio < 0.9 || s.owed > s.targetRate * 0.2);
    setText(keepUp, !s.running ? '' : behind ? `behind · ${formatPercent(ratio)}` : s.elapsedMs > 2500 ? 'keeping up' : '');
    keepUp.className = `num wl-keepup ${behind ? 'bad' : 'ok'}`;
    rateMeter.set(ratio, behind ? 'bad' : 'ok');
    const flight = s.inFlight / s.maxInFlight;
    flightMeter.set(flight, flight >= 0.99 ? 'bad' : flight > 0.5 ? 'warn' : 'ok');
    setText(values.flight!, `${formatCount(s.inFlight)} / ${formatCount(s.maxInFlight)}`);
    setText(values.elapsed!, `${(s.elapsedMs / 1000).toFixed(1)} s`);
    setText(values.issued!, formatCount(s.issued));
    setText(values.done!, `${formatCount(s.done.put)} put · ${formatCount(s.done.get)} get · ${formatCount(s.done.delete)} del`);
    setText(values.owed!, formatCount(s.owed));
    values.owed!.classList.toggle('warn', s.owed > 0 && s.running);
    setText(values.skipped!, formatCount(s.skipped));
    values.skipped!.classList.toggle('bad', s.skipped > 0);
    setText(values.errors!, formatCount(s.errors));
    values.errors!.classList.toggle('bad', s.errors > 0);
    setText(values.lastError!, s.lastError ?? '–');
    values.lastError!.title = s.lastError ?? '';
    values.lastError!.classList.toggle('bad', s.lastError !== undefined);
    if (!s.running && s.inFlight === 0) stopRefreshing();
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

  const stopRefreshing = () => {
    clearInterval(refreshTimer);
    refreshTimer = undefined;
  };

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
    if (db.readOnly) return fail('This is a read-only handle (another tab or worker has the database open for writing); every workload writes, so none can run.');
    const config = parsed.value;
    history = [];
    lastHistoryAt = performance.now();
    drawChart();
    generator = new WorkloadGenerator(db, config, {
      now: () => performance.now(),
      onStop: (reason, failed) => {
        clearInterval(tickTimer);
        tickTimer = undefined;
        setRunning(false);
        const s = generator?.status();
        session.note(failed ? 'error' : 'info', `workload ${reason}`, s ? summary(s) : {});
        render();
      },
    });
    setRunning(true);
    session.note('info', `workload started: ${mixOf(config.kind).label}`, { ...config });
    tickTimer = setInterval(() => generator?.tick(), TICK_MS);
    stopRefreshing();
    refreshTimer = setInterval(render, REFRESH_MS);
    generator.tick();
    render();
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
  return h('div', { class: 'workload' }, form, status);
}

function summary(s: GeneratorStatus): Record<string, unknown> {
  return {
    kind: s.config.kind,
    seconds: Math.round(s.elapsedMs / 100) / 10,
    targetRate: s.targetRate,
    issued: s.issued,
    done: s.done,
    skipped: s.skipped,
    errors: s.errors,
    ...(s.lastError ? { lastError: s.lastError } : {}),
  };
}
