// Compaction: the running job (levels, reason, inputs, stage and progress,
// bytes, elapsed) and a history of finished jobs, newest first, with flushes
// and write stalls marked among them (the shared Records' history, kept
// across reloads; its texts in model/history-text.ts). Rows are kept by id
// and refilled only when their version changed; only the rows in view (and
// a few around them) are in the table, between two spacers, so a new row
// repaints a screenful, not the whole history. The painter redraws at most
// a few times a second however fast events come.
import type { LevelStats, Stats } from 'stratadb';
import { h, panel, replace, setText } from '../app/dom.js';
import { formatBytes, formatCount, formatMicros, formatRatio } from '../app/format.js';
import type { Records } from '../app/records.js';
import { type Session, showWhileOpen } from '../app/session.js';
import { writeAmplification, type RowKind, type RunningJob } from '../model/compaction-history.js';
import { writeAmpOf } from '../model/rates.js';
import { levelsText, plural, reasonText, STALL_LONG, STALL_SHORT } from '../model/event-text.js';
import { AMP_COLUMN, HISTORY_COLUMNS, historyCells, historyTitle, lastCompactionText } from '../model/history-text.js';
import { meter } from './meter.js';
import './compaction.css';

/** Height of a history row, px (compaction.css gives every row this height). */
const ROW_PX = 21;
/** Rows drawn beyond those in view, above and below. */
const SPARE_ROWS = 4;
const ROWS_EVERY_MS = 1000;

const STAGE_TEXT: Record<RunningJob['stage'], string> = {
  sending: 'sending inputs',
  running: 'merging in the runner',
  installing: 'installing outputs',
};

export function mountCompaction(session: Session, records: Records): HTMLElement {
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
  const spacer = () => h('tr', { class: 'cp-spacer', 'aria-hidden': 'true' }, h('td', { colspan: HISTORY_COLUMNS.length }));
  const spacerAbove = spacer();
  const spacerBelow = spacer();
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

  const history = records.history;
  const shown = new Map<string, { tr: HTMLTableRowElement; version: number }>();
  let stats: Stats | undefined;
  let drawn = -1;

  const kinds = () => {
    const set = new Set<RowKind>(['compaction']);
    for (const [kind, input] of filters) if (input.checked) set.add(kind);
    return set;
  };

  // Where the box is scrolled to and how tall it is, from its own events: drawing reads no layout.
  let scrollTop = 0;
  let boxHeight = 250;

  const drawRows = () => {
    const all = history.rows(kinds());
    const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - SPARE_ROWS);
    const rows = all.slice(first, first + Math.ceil(boxHeight / ROW_PX) + 2 * SPARE_ROWS);
    const keep = new Set(rows.map((row) => row.id));
    for (const [id, entry] of shown) {
      if (!keep.has(id)) {
        entry.tr.remove();
        shown.delete(id);
      }
    }
    (spacerAbove.firstElementChild as HTMLElement).style.height = `${first * ROW_PX}px`;
    (spacerBelow.firstElementChild as HTMLElement).style.height = `${(all.length - first - rows.length) * ROW_PX}px`;
    if (tbody.firstElementChild !== spacerAbove) tbody.prepend(spacerAbove);
    // In order, moving only rows out of place (a new row goes in at the top).
    let cursor = spacerAbove.nextElementSibling;
    for (const row of rows) {
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
      if (entry.tr === cursor) cursor = cursor.nextElementSibling;
      else tbody.insertBefore(entry.tr, cursor);
    }
    if (tbody.lastElementChild !== spacerBelow) tbody.append(spacerBelow);
    empty.hidden = all.length > 0;
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
      else setText(inputs, stats && stats.compactions > 0 ? `${formatCount(stats.compactions)} jobs before this page watched` : 'no compaction seen yet');
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
      `${formatCount(s.compactions)} jobs · read ${formatBytes(s.compactionBytesRead)} · wrote ${formatBytes(s.compactionBytesWritten)} · ${formatMicros(s.compactionMicros)} compacting · total write amp ${ampText(s)}${stallText}`,
    );
    totals.title =
      `${totals.textContent}\n\n` +
      'Total write amplification: (WAL + flush + compaction bytes written) / user bytes written, since this handle opened. ' +
      'Slowed: writes delayed at the L0 slowdown trigger; stopped: writes that waited for a compaction or a flush. The history shows each stall with its cause.';
  };

  // The table is redrawn at most once a second: under a load a flush comes
  // every few hundred milliseconds, and each new row repaints the table.
  let rowsAt = -Infinity;
  let rowsLater: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    const now = performance.now();
    if (drawn !== history.revision) {
      if (now - rowsAt < ROWS_EVERY_MS) {
        rowsLater ??= setTimeout(() => {
          rowsLater = undefined;
          invalidate();
        }, ROWS_EVERY_MS - (now - rowsAt));
      } else {
        drawn = history.revision;
        rowsAt = now;
        drawRows();
      }
    }
    drawRunning();
    drawTotals();
  };
  const invalidate = session.painter.add(draw);

  for (const input of filters.values()) input.addEventListener('change', () => drawRows());
  let scrolled = false;
  historyBox.addEventListener(
    'scroll',
    () => {
      scrollTop = historyBox.scrollTop;
      if (scrolled) return;
      scrolled = true;
      requestAnimationFrame(() => {
        scrolled = false;
        drawRows();
      });
    },
    { passive: true },
  );
  new ResizeObserver((entries) => {
    boxHeight = entries[entries.length - 1]?.contentRect.height || boxHeight;
  }).observe(historyBox);

  showWhileOpen(session, content, placeholder);
  draw();
  records.on('history', invalidate);
  session.listen({
    switched() {
      stats = undefined;
      replace(tbody);
      shown.clear();
      historyBox.scrollTop = scrollTop = 0;
      drawn = -1;
      invalidate();
    },
    stats(sample) {
      stats = sample.stats;
      invalidate();
    },
  });
  // The running job's elapsed time and a stall's length change with time alone.
  session.painter.every(drawRunning, () => session.db !== undefined && (history.running !== undefined || history.stall !== undefined || history.lastCompaction !== undefined));
  return section;
}

/** "3.21×", or why there is no number yet. */
function ampText(s: Stats): string {
  const amp = writeAmpOf(s);
  return amp === null ? `– (${formatBytes(s.userBytesWritten)} written: too little to tell)` : formatRatio(amp);
}
