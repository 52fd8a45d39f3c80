// Compaction: the running job (levels, reason, inputs, stage and progress,
// bytes, elapsed) and a history of finished jobs, newest first, with flushes
// and write stalls marked among them (model/compaction-history.ts, its texts
// in model/history-text.ts). Rows are
// kept by id and refilled only when their version changed; redraws happen
// at most once per frame however fast events come.
import type { LevelStats, Stats } from 'stratadb';
import { h, panel, replace, setText } from '../app/dom.js';
import { formatBytes, formatCount, formatMicros, formatRatio } from '../app/format.js';
import { type Session, showWhileOpen } from '../app/session.js';
import { CompactionHistory, writeAmplification, type RowKind, type RunningJob } from '../model/compaction-history.js';
import { levelsText, plural, reasonText, STALL_LONG, STALL_SHORT } from '../model/event-text.js';
import { AMP_COLUMN, HISTORY_COLUMNS, historyCells, historyTitle, lastCompactionText } from '../model/history-text.js';
import { meter } from './meter.js';
import './compaction.css';

const TICK_MS = 250;
const SHOWN_ROWS = 200;

const STAGE_TEXT: Record<RunningJob['stage'], string> = {
  sending: 'sending inputs',
  running: 'merging in the runner',
  installing: 'installing outputs',
};

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
    h('thead', {}, h('tr', {}, ...HISTORY_COLUMNS.map((c) => h('th', { title: c.title, class: c.num ? 'num' : undefined, scope: 'col' }, c.label)))),
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
        for (const c of HISTORY_COLUMNS) tr.append(h('td', { class: c.num ? 'num' : undefined }));
        entry = { tr, version: -1 };
        shown.set(row.id, entry);
      }
      if (entry.version !== row.version) {
        entry.version = row.version;
        historyCells(row).forEach((text, j) => setText(entry!.tr.children[j]!, text));
        entry.tr.title = historyTitle(row);
        entry.tr.classList.toggle('ongoing', row.micros === undefined);
        entry.tr.classList.toggle('failed', row.kind !== 'stall' && row.error !== null);
        const amp = writeAmplification(row);
        entry.tr.children[AMP_COLUMN]!.className = amp !== undefined && amp >= 10 ? 'num warn' : 'num';
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
      setText(state, `Job #${job.job} · ${levelsText(job.fromLevel, job.toLevel)} · ${reasonText(job.reason, job.score)}`);
      const upper = job.inputs.filter((t) => t.level === job.fromLevel).length;
      setText(
        inputs,
        `${plural(job.inputs.length, 'input table')} · ${formatBytes(job.bytesIn)} in (L${job.fromLevel}: ${upper} · ${formatBytes(job.upperBytesIn)}) · out when done`,
      );
      const fraction = job.stage === 'running' ? 1 : job.total > 0 ? job.done / job.total : 0;
      progress.set(fraction, job.stage === 'running' ? 'warn' : 'ok');
      setText(stage, job.stage === 'running' ? STAGE_TEXT.running : `${STAGE_TEXT[job.stage]} ${job.done}/${job.total}`);
      setText(elapsed, formatMicros((now - job.startedAt) * 1000));
    } else {
      setText(state, 'Idle');
      const last = history.lastCompaction;
      if (last) setText(inputs, lastCompactionText(last, now));
      else setText(inputs, stats && stats.compactions > 0 ? `${formatCount(stats.compactions)} jobs before this page watched` : 'no compaction since this page opened the database');
      // Idle, the bar shows how close the next job is: the highest level score.
      const next = stats?.levels.slice(0, -1).reduce<LevelStats | undefined>((best, l) => (!best || l.score > best.score ? l : best), undefined);
      progress.set(next ? next.score : 0, next && next.score >= 1 ? 'warn' : 'ok');
      setText(stage, next ? `next: L${next.level} at score ${next.score.toFixed(2)} (starts at 1.00)` : '');
      setText(elapsed, '');
    }
    // Lines cut short on a narrow panel keep their whole text as a tooltip.
    for (const el of [inputs, stage]) if (el.title !== el.textContent) el.title = el.textContent ?? '';
    const open = history.stall;
    stall.classList.toggle('on', open !== undefined);
    stall.title = open ? STALL_LONG[open.cause] : '';
    setText(stallText, open ? STALL_SHORT[open.cause] : '');
    setText(stallTime, open ? ` ${formatMicros((now - open.at) * 1000)}` : '');
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
      'Slowed: writes delayed at the L0 slowdown trigger; stopped: writes that waited for a compaction or a flush. The history shows each stall with its cause.';
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
      drawTotals();
      schedule();
    },
    event(e, at) {
      if (history.event(e, at)) schedule();
    },
  });
  setInterval(() => {
    if (session.db && (history.running || history.stall || history.lastCompaction)) drawRunning();
  }, TICK_MS);
  return section;
}
