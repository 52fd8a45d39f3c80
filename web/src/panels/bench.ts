// The Benchmark tab: runs the same workloads on StrataDB and on raw
// IndexedDB in this browser (in a worker of its own, so the page stays
// responsive) and shows ops/s side by side with the ratio.
import './bench.css';
import { download, h, setText } from '../app/dom.js';
import { formatPercent } from '../app/format.js';
import type { Session } from '../app/session.js';
import { startBench, type BenchRun } from '../bench/client.js';
import type { BenchConfig, FromWorker, Side, SideResult, WorkloadId } from '../bench/protocol.js';
import { browserName, buildRows, overallProgress, ratioPosition, toMarkdown, verdict } from '../bench/report.js';
import { BENCH_WORKLOADS, DEFAULT_BENCH, SIDES, SIDE_LABEL, parseBenchForm, workloadById, type BenchForm } from '../bench/workloads.js';
import { meter } from './meter.js';

/** How long a cancelled run may take to clean up before its worker is ended. */
const CANCEL_GRACE_MS = 20_000;

interface RowCells {
  perSec: Record<Side, HTMLElement>;
  ratio: HTMLElement;
  bar: HTMLElement;
  verdict: HTMLElement;
  problem: HTMLElement;
  count: HTMLElement;
  row: HTMLElement;
}

export function mountBench(session: Session): HTMLElement {
  const input = (id: string, value: number) =>
    h('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', value: String(value) });
  const inputs: Record<keyof BenchForm, HTMLInputElement> = {
    awaitedOps: input('bench-awaited', DEFAULT_BENCH.awaitedOps),
    bulkOps: input('bench-bulk', DEFAULT_BENCH.bulkOps),
    valueSize: input('bench-value-size', DEFAULT_BENCH.valueSize),
  };
  const field = (label: string, control: HTMLElement, hint: string) =>
    h('label', { class: 'bench-field' }, h('span', {}, label), control, h('small', { class: 'muted' }, hint));
  const start = h('button', { id: 'bench-start', class: 'btn primary', type: 'submit' }, 'Run benchmark');
  const cancel = h('button', { id: 'bench-cancel', class: 'btn danger', type: 'button', disabled: true }, 'Cancel');
  const copy = h('button', { id: 'bench-copy', class: 'btn', type: 'button', disabled: true }, 'Copy as Markdown');
  const error = h('p', { id: 'bench-error', class: 'error-line bench-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'bench-form', novalidate: true },
    h(
      'div',
      { class: 'bench-fields' },
      field('Awaited puts', inputs.awaitedOps, 'workload (a): 10 – 20,000'),
      field('Batched puts / reads', inputs.bulkOps, '(b), (c): 100 – 1,000,000'),
      field('Value size (bytes)', inputs.valueSize, '1 – 65,536'),
    ),
    h('div', { class: 'row' }, start, cancel, copy),
    error,
  );

  const progressMeter = meter('Benchmark progress');
  const progressText = h('span', { class: 'bench-progress-text' }, 'Not run yet.');
  const progressPct = h('span', { class: 'num muted bench-pct' }, '');
  const progress = h(
    'div',
    { id: 'bench-progress', class: 'bench-progress', 'data-state': 'idle' },
    h('div', { class: 'bench-progress-line' }, progressText, progressPct),
    progressMeter.element,
  );

  const cells = new Map<WorkloadId, RowCells>();
  const body = h('tbody');
  for (const w of BENCH_WORKLOADS) {
    const perSec = { stratadb: h('td', { class: 'num bench-ops' }, '–'), indexeddb: h('td', { class: 'num bench-ops' }, '–') };
    const ratio = h('span', { class: 'num bench-ratio-value' }, '–');
    const bar = h('span', { class: 'bench-bar-fill' });
    const verdictEl = h('small', { class: 'muted bench-verdict' }, '');
    const problem = h('small', { class: 'bad bench-problem' });
    const count = h('small', { class: 'muted num bench-n' }, '');
    const row = h(
      'tr',
      { 'data-workload': w.id },
      h('th', { scope: 'row', class: 'bench-name' }, h('span', {}, `(${w.letter}) ${w.label}`), count, problem),
      perSec.stratadb,
      perSec.indexeddb,
      h(
        'td',
        { class: 'bench-ratio' },
        ratio,
        h('span', { class: 'bench-bar', title: 'log scale from 0.01× to 100×; the mark is 1×' }, bar),
        verdictEl,
      ),
    );
    cells.set(w.id, { perSec, ratio, bar, verdict: verdictEl, problem, count, row });
    body.append(row);
  }
  const colHead = (name: string) => h('th', { scope: 'col', class: 'num' }, name, h('small', { class: 'muted' }, 'ops/s'));
  const table = h(
    'table',
    { id: 'bench-results', class: 'table bench-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Workload'), colHead('StrataDB'), colHead('IndexedDB'), h('th', { scope: 'col' }, 'Ratio', h('small', { class: 'muted' }, 'StrataDB ÷ IndexedDB')))),
    body,
  );
  const how = h(
    'dl',
    { class: 'bench-how' },
    ...BENCH_WORKLOADS.flatMap((w) => [
      h('dt', {}, `(${w.letter})`),
      h('dd', {}, h('b', {}, 'StrataDB '), w.how.stratadb, h('br'), h('b', {}, 'IndexedDB '), w.how.indexeddb),
    ]),
  );
  const environment = h('p', { class: 'muted bench-env num' }, '');

  let config: BenchConfig = DEFAULT_BENCH;
  let results: SideResult[] = [];
  let current: { workload: WorkloadId; side: Side; done: number; total: number } | undefined;
  let run: BenchRun | undefined;
  let cancelTimer: ReturnType<typeof setTimeout> | undefined;
  let finishedAt: Date | undefined;

  const render = () => {
    const rows = buildRows(config, results);
    for (const r of rows) {
      const c = cells.get(r.workload)!;
      setText(c.count, `${r.ops.toLocaleString('en-US')} ${r.unit}`);
      for (const side of SIDES) {
        const value = r.perSec[side];
        const running = current && current.workload === r.workload && current.side === side;
        const text =
          value !== undefined
            ? Math.round(value).toLocaleString('en-US')
            : running
              ? `▸ ${formatPercent(current!.total > 0 ? current!.done / current!.total : 0)}`
              : '–';
        setText(c.perSec[side], text);
        c.perSec[side].classList.toggle('muted', value === undefined);
      }
      c.row.classList.toggle('bench-active', current?.workload === r.workload);
      if (r.ratio === undefined) {
        setText(c.ratio, '–');
        setText(c.verdict, '');
        c.bar.style.width = '0';
        c.bar.className = 'bench-bar-fill';
      } else {
        setText(c.ratio, `${r.ratio.toFixed(2)}×`);
        setText(c.verdict, verdict(r.ratio));
        // The fill runs from the 1× mark (the middle) to the ratio.
        const at = ratioPosition(r.ratio) * 100;
        c.bar.style.left = `${Math.min(50, at)}%`;
        c.bar.style.width = `${Math.abs(at - 50)}%`;
        c.bar.className = `bench-bar-fill ${r.ratio >= 1 ? 'faster' : 'slower'}`;
      }
      c.ratio.classList.toggle('ok', r.ratio !== undefined && r.ratio > 1.05);
      c.ratio.classList.toggle('warn', r.ratio !== undefined && r.ratio < 0.95);
      setText(c.problem, r.problems.join('; '));
    }
  };

  const setProgress = (state: string, text: string, fraction: number | undefined) => {
    progress.dataset.state = state;
    setText(progressText, text);
    setText(progressPct, fraction === undefined ? '' : formatPercent(fraction));
    progressMeter.set(fraction ?? (state === 'done' ? 1 : 0), state === 'error' ? 'bad' : state === 'cancelled' ? 'warn' : 'ok');
  };

  const setRunning = (running: boolean) => {
    start.disabled = running;
    cancel.disabled = !running;
    setText(cancel, 'Cancel');
    for (const el of Object.values(inputs)) el.disabled = running;
    copy.disabled = running || results.length === 0;
  };

  const finish = (state: 'done' | 'cancelled' | 'error', text: string) => {
    clearTimeout(cancelTimer);
    run?.terminate();
    run = undefined;
    current = undefined;
    finishedAt = new Date();
    setRunning(false);
    const last = state === 'done' ? 1 : undefined;
    setProgress(state, text, last);
    render();
    setText(
      environment,
      `${browserName(navigator.userAgent)} · ${finishedAt.toLocaleString()} · ${config.valueSize}-byte values · batches of ${config.batchSize} · durable writes, IndexedDB durability 'strict' on both sides`,
    );
    const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n));
    const rows = buildRows(config, results).map((r) => ({
      workload: r.workload,
      stratadb: round(r.perSec.stratadb),
      indexeddb: round(r.perSec.indexeddb),
      ratio: r.ratio === undefined ? undefined : Math.round(r.ratio * 100) / 100,
    }));
    session.note(state === 'error' ? 'error' : 'info', `benchmark ${state === 'done' ? 'finished' : state}: ${text}`, { config, rows });
  };

  const onMessage = (m: FromWorker) => {
    switch (m.type) {
      case 'phase':
      case 'progress': {
        const done = m.type === 'phase' ? 0 : m.done;
        current = { workload: m.workload, side: m.side, done, total: m.total };
        const w = workloadById(m.workload);
        setProgress(
          'running',
          `(${w.letter}) ${w.label} · ${SIDE_LABEL[m.side]} · ${done.toLocaleString('en-US')} / ${m.total.toLocaleString('en-US')} ${w.unit}`,
          overallProgress(m.workload, m.side, done, m.total),
        );
        render();
        break;
      }
      case 'result':
        results.push(m.result);
        copy.disabled = true;
        render();
        break;
      case 'note':
        session.note('info', `benchmark: ${m.message}`);
        break;
      case 'done':
        finish('done', 'Done. Scratch databases deleted.');
        break;
      case 'cancelled':
        finish('cancelled', 'Cancelled. Scratch databases deleted.');
        break;
      case 'error':
        finish('error', `Failed: ${m.message}`);
        break;
    }
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (run) return;
    setText(error, '');
    for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
    const parsed = parseBenchForm({ awaitedOps: inputs.awaitedOps.value, bulkOps: inputs.bulkOps.value, valueSize: inputs.valueSize.value });
    if (!parsed.ok) {
      setText(error, parsed.error);
      inputs[parsed.field].setAttribute('aria-invalid', 'true');
      inputs[parsed.field].focus();
      return;
    }
    config = parsed.value;
    results = [];
    finishedAt = undefined;
    setText(environment, '');
    setRunning(true);
    setProgress('running', 'Starting the benchmark worker…', 0);
    render();
    session.note('info', 'benchmark started', { ...config });
    try {
      run = startBench(config, onMessage);
    } catch (e) {
      finish('error', `Failed to start the benchmark worker: ${String(e)}`);
    }
  });

  cancel.addEventListener('click', () => {
    if (!run) return;
    run.cancel();
    cancel.disabled = true;
    setText(cancel, 'Cancelling…');
    setProgress('cancelling', 'Cancelling: finishing the current step and deleting the scratch databases…', undefined);
    cancelTimer = setTimeout(
      () => finish('cancelled', 'Cancelled: the worker did not answer in time and was stopped; its scratch databases are removed by the next run.'),
      CANCEL_GRACE_MS,
    );
  });

  copy.addEventListener('click', () => {
    const markdown = toMarkdown(config, buildRows(config, results), browserName(navigator.userAgent), finishedAt ?? new Date());
    navigator.clipboard.writeText(markdown).then(
      () => setText(copy, 'Copied'),
      () => download('stratadb-benchmark.md', markdown, 'text/markdown'),
    );
    setTimeout(() => setText(copy, 'Copy as Markdown'), 1500);
  });
  for (const el of Object.values(inputs)) el.addEventListener('input', () => setText(error, ''));

  render();
  return h(
    'div',
    { class: 'bench' },
    h(
      'p',
      { class: 'bench-intro muted' },
      'Runs in this browser, in a worker of its own, on two scratch databases that are deleted afterwards: a StrataDB database (compaction in a nested worker) and a raw IndexedDB database with one object store. Writes are durable on both sides. Ratio = StrataDB ops/s ÷ IndexedDB ops/s: above 1× StrataDB is faster.',
    ),
    form,
    progress,
    h('div', { class: 'scroll bench-scroll' }, table),
    environment,
    h('details', { class: 'bench-details', open: true }, h('summary', {}, 'What each side runs'), how),
  );
}
