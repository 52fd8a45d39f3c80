// Compaction: the running job (runner, inputs, stage and progress, bytes,
// elapsed) and a history of finished jobs, newest first, with flushes and
// write stalls marked among them (model/compaction-history.ts). Rows are
// kept by id and refilled only when their version changed; redraws happen
// at most once per frame however fast events come.
import type { LevelStats, Stats } from 'stratadb';
import { h, panel, replace, setText } from '../app/dom.js';
import { formatBytes, formatClock, formatCount, formatMicros, formatAgo, formatRatio } from '../app/format.js';
import { type Session, showWhileOpen } from '../app/session.js';
import { CompactionHistory, writeAmplification, type HistoryRow, type RowKind, type RunningJob } from '../model/compaction-history.js';
import { meter } from './meter.js';
import './compaction.css';

const TICK_MS = 250;
const SHOWN_ROWS = 200;

const STAGE_TEXT: Record<RunningJob['stage'], string> = {
  sending: 'sending inputs',
  running: 'merging in the runner',
  installing: 'installing outputs',
};

const COLUMNS: { label: string; title: string; num?: boolean }[] = [
  { label: 'When', title: 'When it started (local time)' },
  { label: 'What', title: 'Compaction job number, flush, or write stall' },
  { label: 'Levels', title: 'From which level into which' },
  { label: 'Duration', title: 'From its start to its end', num: true },
  { label: 'In', title: 'Bytes read: every input table (upper level and the overlapping tables below)', num: true },
  { label: 'Out', title: 'Bytes written', num: true },
  {
    label: 'W-amp',
    title: 'Write amplification of the job, as RocksDB reports it: bytes written / bytes read from the upper level. Moving n bytes into a level that holds 10n of the same keys writes 11n: 11×.',
    num: true,
  },
  { label: 'Files', title: 'Tables in → out (stall: writes that waited)', num: true },
  { label: 'Runner', title: "Where it ran: 'worker' (compaction worker), 'instance' (second wasm instance), 'here' (the database's own)" },
];

const levelsText = (row: HistoryRow) =>
  row.kind === 'flush'
    ? 'mem → L0'
    : row.kind === 'stall'
      ? 'writes wait'
      : row.fromLevel === undefined
        ? '–'
        : `L${row.fromLevel} → L${row.toLevel ?? row.fromLevel + 1}`;

const bytes = (n: number | undefined) => (n === undefined ? '–' : formatBytes(n));

function cells(row: HistoryRow): string[] {
  const what = row.kind === 'compaction' ? `job #${row.job ?? '?'}` : row.kind === 'flush' ? 'flush' : 'write stall';
  const duration = row.micros === undefined ? 'ongoing' : formatMicros(row.micros);
  const amp = writeAmplification(row);
  let files = '–';
  if (row.kind === 'stall') files = `${formatCount(row.writes ?? 0)} write${row.writes === 1 ? '' : 's'}`;
  else if (row.kind === 'flush') files = `→ ${row.filesOut ?? 1}`;
  else if (row.filesIn !== undefined || row.filesOut !== undefined) files = `${row.filesIn ?? '–'} → ${row.filesOut ?? '–'}`;
  return [
    formatClock(row.at),
    what,
    levelsText(row),
    duration,
    row.kind === 'compaction' ? bytes(row.bytesIn) : '–',
    row.kind === 'stall' ? '–' : bytes(row.bytesOut),
    amp === undefined ? '–' : formatRatio(amp),
    files,
    row.runner ?? '–',
  ];
}

function rowTitle(row: HistoryRow): string {
  const parts: string[] = [];
  if (row.inputFiles?.length) parts.push(`inputs: ${row.inputFiles.map((n) => `#${n}`).join(' ')}`);
  if (row.outputFiles?.length) parts.push(`outputs: ${row.outputFiles.map((n) => `#${n}`).join(' ')}`);
  if (row.kind === 'compaction' && row.upperBytesIn !== undefined) parts.push(`read from L${row.fromLevel}: ${formatBytes(row.upperBytesIn)}`);
  if (row.kind === 'compaction' && row.bytesIn && row.bytesOut !== undefined) parts.push(`bytes out / in: ${formatRatio(row.bytesOut / row.bytesIn)}`);
  if (row.kind === 'flush' && (row.filesOut ?? 1) > 1) parts.push(`${row.filesOut} flushes reported together`);
  if (row.kind === 'stall') parts.push('Writes waited for a compaction: L0 reached its stop trigger');
  return parts.join('\n');
}

export function mountCompaction(session: Session): HTMLElement {
  const filters = new Map<RowKind, HTMLInputElement>();
  const filter = (kind: RowKind, label: string) => {
    const input = h('input', { type: 'checkbox', checked: true, 'aria-label': `Show ${label} in the history` });
    filters.set(kind, input);
    return h('label', { class: 'cp-filter' }, input, ` ${label}`);
  };
  const { section, body } = panel('panel-compaction', 'Compaction', filter('flush', 'flushes'), filter('stall', 'stalls'));

  const placeholder = h('p', { class: 'muted placeholder' }, 'No database open.');

  // ----- the running job -----
  const state = h('span', { class: 'cp-state' });
  // Announced when a stall starts or ends; its running time ticks beside it, outside the live region.
  const stallText = h('span', { role: 'status' });
  const stallTime = h('span', { class: 'num', 'aria-hidden': 'true' });
  const stall = h('span', { class: 'cp-stall' }, stallText, stallTime);
  const inputs = h('div', { class: 'cp-line num' });
  const progress = meter('Compaction progress');
  const stage = h('span', { class: 'cp-stage num' });
  const elapsed = h('span', { class: 'cp-elapsed num' });
  const runningBox = h(
    'div',
    // Not a live region: its elapsed time changes four times a second.
    { id: 'compaction-running', class: 'cp-running' },
    h('div', { class: 'cp-line cp-head' }, state, stall),
    inputs,
    h('div', { class: 'cp-progress' }, progress.element, stage, elapsed),
  );
  const totals = h('div', { class: 'cp-totals num muted' });

  // ----- the history -----
  const tbody = h('tbody');
  const empty = h('p', { class: 'cp-empty muted' }, 'No compactions yet. Run a workload (or COMPACT in the console) to see them here.');
  const table = h(
    'table',
    { class: 'table cp-table' },
    h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { title: c.title, class: c.num ? 'num' : undefined, scope: 'col' }, c.label)))),
    tbody,
  );
  const historyBox = h('div', { class: 'cp-history scroll', tabindex: 0, role: 'region', 'aria-label': 'Compaction history' }, table, empty);

  const content = h('div', { class: 'cp-content' }, runningBox, totals, historyBox);
  body.append(placeholder, content);

  const history = new CompactionHistory(SHOWN_ROWS);
  const shown = new Map<string, { tr: HTMLTableRowElement; version: number }>();
  let stats: Stats | undefined;
  let drawn = -1;
  let frame: number | undefined;

  const kinds = () => {
    const set = new Set<RowKind>(['compaction']);
    for (const [kind, input] of filters) if (input.checked) set.add(kind);
    return set;
  };

  const drawRows = () => {
    const rows = history.rows(kinds()).slice(0, SHOWN_ROWS);
    const keep = new Set<string>();
    rows.forEach((row, i) => {
      keep.add(row.id);
      let entry = shown.get(row.id);
      if (!entry) {
        // Every history row is a .compaction-row; data-kind tells compactions, flushes and stalls apart.
        const tr = h('tr', { class: 'compaction-row', 'data-kind': row.kind, 'data-id': row.id });
        for (const c of COLUMNS) tr.append(h('td', { class: c.num ? 'num' : undefined }));
        entry = { tr, version: -1 };
        shown.set(row.id, entry);
      }
      if (entry.version !== row.version) {
        entry.version = row.version;
        const texts = cells(row);
        texts.forEach((text, j) => setText(entry!.tr.children[j]!, text));
        entry.tr.title = rowTitle(row);
        entry.tr.classList.toggle('ongoing', row.micros === undefined);
        const amp = writeAmplification(row);
        entry.tr.children[6]!.className = amp !== undefined && amp >= 10 ? 'num warn' : 'num';
      }
      const at = tbody.children[i];
      if (at !== entry.tr) tbody.insertBefore(entry.tr, at ?? null);
    });
    for (const [id, entry] of shown) {
      if (!keep.has(id)) {
        entry.tr.remove();
        shown.delete(id);
      }
    }
    empty.hidden = rows.length > 0;
  };

  /** The running box: what changes with time alone is redrawn by the timer too. */
  const drawRunning = () => {
    const job = history.running;
    const now = Date.now();
    runningBox.classList.toggle('active', job !== undefined);
    if (job) {
      const levels = job.fromLevel === undefined ? '' : ` · L${job.fromLevel} → L${job.toLevel}`;
      setText(state, `Job #${job.job}${levels} · ${job.runner}`);
      if (job.inputs.length > 0) {
        const upper = job.inputs.filter((i) => i.level !== undefined && i.level === job.fromLevel);
        const split = job.fromLevel === undefined ? '' : ` (L${job.fromLevel}: ${upper.length} · ${formatBytes(upper.reduce((s, i) => s + i.bytes, 0))})`;
        setText(inputs, `${job.inputs.length} input file${job.inputs.length === 1 ? '' : 's'} · ${formatBytes(job.bytesIn)} in${split} · out when done`);
      } else setText(inputs, 'running in the database’s own instance');
      const fraction = job.stage === 'running' ? 1 : job.total > 0 ? job.done / job.total : 0;
      progress.set(fraction, job.stage === 'running' ? 'warn' : 'ok');
      setText(stage, job.stage === 'running' ? STAGE_TEXT.running : `${STAGE_TEXT[job.stage]} ${job.done}/${job.total}`);
      setText(elapsed, formatMicros((now - job.startedAt) * 1000));
    } else {
      setText(state, 'Idle');
      const last = history.lastCompaction;
      if (last) {
        const amp = writeAmplification(last);
        setText(
          inputs,
          `last: job #${last.job} ${levelsText(last)} · ${bytes(last.bytesIn)} → ${bytes(last.bytesOut)}${amp === undefined ? '' : ` (W-amp ${formatRatio(amp)})`} · ${formatMicros(last.micros ?? 0)} · ${formatAgo(now - (last.at + (last.micros ?? 0) / 1000))}`,
        );
      } else setText(inputs, stats && stats.compactions > 0 ? `${formatCount(stats.compactions)} jobs before this page watched` : 'no compaction since this page opened the database');
      // Idle, the bar shows how close the next job is: the highest level score.
      const next = stats?.levels.slice(0, -1).reduce<LevelStats | undefined>((best, l) => (!best || l.score > best.score ? l : best), undefined);
      progress.set(next ? next.score : 0, next && next.score >= 1 ? 'warn' : 'ok');
      setText(stage, next ? `next: L${next.level} at score ${next.score.toFixed(2)} (starts at 1.00)` : '');
      setText(elapsed, '');
    }
    // Lines cut short on a narrow panel keep their whole text as a tooltip.
    for (const el of [inputs, stage]) if (el.title !== el.textContent) el.title = el.textContent ?? '';
    const stalled = history.stalled || stats?.writeStopped === true;
    stall.classList.toggle('on', stalled);
    const open = history.rows(new Set(['stall']))[0];
    setText(stallText, stalled ? 'writes stalled' : '');
    setText(stallTime, stalled && open && open.micros === undefined ? ` ${formatMicros((now - open.at) * 1000)}` : '');
  };

  const drawTotals = () => {
    const s = stats;
    if (!s) return setText(totals, '');
    const slowed = s.slowdownWrites > 0 ? ` · ${formatCount(s.slowdownWrites)} writes slowed` : '';
    const stallText = `${slowed}${s.stoppedWrites > 0 ? ` · ${formatCount(s.stoppedWrites)} stopped` : ''}${s.stallMicros > 0 ? ` (${formatMicros(s.stallMicros)})` : ''}`;
    setText(
      totals,
      `${formatCount(s.compactions)} jobs · read ${formatBytes(s.compactionBytesRead)} · wrote ${formatBytes(s.compactionBytesWritten)} · ${formatMicros(s.compactionMicros)} compacting · total write amp ${formatRatio(s.writeAmplification)}${stallText}`,
    );
    totals.title =
      `${totals.textContent}\n\n` +
      'Total write amplification: (WAL + flush + compaction bytes written) / user bytes written, since this handle opened. ' +
      'Slowed: writes delayed at the L0 slowdown trigger; stopped: writes that waited for a compaction (marked as stalls in the history).';
  };

  const draw = () => {
    frame = undefined;
    if (drawn !== history.revision) {
      drawn = history.revision;
      drawRows();
    }
    drawRunning();
  };
  const schedule = () => {
    if (frame !== undefined) return;
    // No frames while the page is hidden: draw from a task instead.
    frame = document.hidden ? window.setTimeout(draw, 0) : requestAnimationFrame(draw);
  };

  for (const input of filters.values()) input.addEventListener('change', () => drawRows());

  showWhileOpen(session, content, placeholder);
  draw();
  drawTotals();
  session.listen({
    switched() {
      history.reset();
      stats = undefined;
      replace(tbody);
      shown.clear();
      drawTotals();
      schedule();
    },
    stats(sample) {
      stats = sample.stats;
      history.stats(sample.stats);
      drawTotals();
      schedule();
    },
    event(e, at) {
      if (history.event(e, at)) schedule();
    },
  });
  setInterval(() => {
    if (session.db && (history.running || history.stalled || history.lastCompaction)) drawRunning();
  }, TICK_MS);
  return section;
}
