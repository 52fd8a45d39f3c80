// Levels: one row per level (L0..L6) with its file count, size against its
// target (L0: files against its compaction trigger), compaction score, and a
// track where each table is a bar along the key axis all levels share, laid
// out by the rank of the keys the tables hold (model/key-rank.ts), so a few
// stray keys cannot squeeze the rest into a sliver. Hovering a bar, or
// moving along a focused track with the arrow keys, shows the table's
// properties in a box next to it; clicking pins it. Inputs of the running
// compaction are highlighted. Bars are kept by table number and only
// restyled when their place changes; the painter draws them.
import type { LevelStats, Stats, TableStats } from 'stratadb';
import { h, panel, replace, setText } from '../app/dom.js';
import { displayBytes } from '../app/bytes-text.js';
import { formatBytes, formatCount, formatRatio, groupDigits } from '../app/format.js';
import { type Session, showWhileOpen } from '../app/session.js';
import { rankAxis, type KeyAxis } from '../model/key-rank.js';
import { compressionRatio, layoutLevels, levelLoad, type LevelLayout, type TableBar } from '../model/level-layout.js';
import { meter, type Meter } from './meter.js';
import './levels.css';

const LEVELS = 7;
/** Track heights in px: L0 stacks its overlapping tables in sub-rows. */
const L0_TRACK = 46;
const TRACK = 18;
const MAX_SUB_ROW = 14;
/** Narrowest bar in px, so a table holding one key still shows. */
const MIN_BAR_PX = 3;

interface Row {
  element: HTMLElement;
  files: HTMLElement;
  load: Meter;
  loadText: HTMLElement;
  score: HTMLElement;
  track: HTMLElement;
}

interface Bar {
  element: HTMLElement;
  level: number;
  style: string;
  bar: TableBar;
}

export function mountLevels(session: Session): HTMLElement {
  const summary = h('span', { class: 'num muted lv-summary' });
  const { section, body } = panel('panel-levels', 'Levels', summary);

  const placeholder = h('p', { class: 'muted placeholder' }, 'No database open.');
  const rows: Row[] = [];
  for (let level = 0; level < LEVELS; level++) {
    const files = h('span', { class: 'num lv-files' });
    const load = meter(`L${level} size against its target`);
    const loadText = h('span', { class: 'num lv-load-text' });
    const score = h('span', { class: 'num lv-score' });
    const track = h('div', {
      class: 'lv-track',
      role: 'group',
      tabindex: 0,
      'data-level': level,
      'aria-label': `L${level} tables along the key space; arrow keys move between them, Enter pins one`,
      style: `height: ${level === 0 ? L0_TRACK : TRACK}px`,
    });
    const element = h(
      'div',
      { class: 'lv-row', 'data-level': level },
      h('span', { class: 'lv-name' }, `L${level}`),
      files,
      h('div', { class: 'lv-load' }, load.element, loadText),
      score,
      track,
    );
    rows.push({ element, files, load, loadText, score, track });
  }
  const axisLow = h('span', { class: 'lv-axis-low mono' });
  const axisMiddle = h('span', { class: 'lv-axis-middle mono muted', title: 'The table boundary nearest the middle of the axis: about half the entries come before it' });
  const axisHigh = h('span', { class: 'lv-axis-high mono' });
  const header = h(
    'div',
    { class: 'lv-row lv-head' },
    h('span', {}, ''),
    h('span', { title: 'Table files' }, 'Files'),
    h('span', { title: 'L0: files against the compaction trigger (marks: compaction and slowdown triggers; full: writes stop). Deeper levels: bytes against the target.' }, 'Size / target'),
    h('span', { title: 'Compaction score: 1 or more and the level wants compaction' }, 'Score'),
    h('div', { class: 'lv-axis' }, axisLow, axisMiddle, axisHigh),
  );

  const detailsTitle = h('div', { class: 'lv-details-title' });
  const detailsKeys = h('div', { class: 'lv-details-keys mono' });
  const detailsFacts = h('dl', { class: 'lv-details-facts' });
  // Next to the table it describes (placed in place(), over the rows below), so it moves nothing.
  const details = h('div', { class: 'lv-details', id: 'levels-details', role: 'status', hidden: true }, detailsTitle, detailsKeys, detailsFacts);
  const emptyNote = h('span', { class: 'lv-empty-note' });

  const grid = h('div', { class: 'lv-grid' }, header, ...rows.map((r) => r.element));
  const content = h(
    'div',
    { class: 'lv-content' },
    grid,
    h(
      'div',
      { class: 'lv-legend muted' },
      h('span', { class: 'lv-swatch' }),
      'table (darker: smaller)',
      h('span', { class: 'lv-swatch active' }),
      'compaction input',
      h('span', { class: 'lv-swatch selected' }),
      'selected',
      h('span', { class: 'lv-legend-note' }, '· widths by share of entries · hover or click a table'),
      emptyNote,
    ),
    details,
  );
  body.append(placeholder, content);

  const bars = new Map<number, Bar>();
  const tables = new Map<number, { table: TableStats; level: number }>();
  /** Inputs of the running compaction, from its `started` event. */
  let running = new Set<number>();
  let stats: Stats | undefined;
  let layout: LevelLayout[] = [];
  let axis: KeyAxis | undefined;
  /** The tracks' width in px, from a ResizeObserver: drawing reads no layout (but to place a shown table's details box). */
  let trackWidth = 0;
  let pinned: number | undefined;
  let hovered: number | undefined;
  /** A pinned table that was compacted away: said until the pointer moves on. */
  let gone: number | undefined;
  let shownKey = '';

  const clear = () => {
    for (const bar of bars.values()) bar.element.remove();
    bars.clear();
    tables.clear();
    running = new Set();
    stats = undefined;
    layout = [];
    axis = undefined;
    pinned = undefined;
    hovered = undefined;
    gone = undefined;
    shownKey = '';
    setText(summary, '');
    setText(axisLow, '');
    setText(axisMiddle, '');
    setText(axisHigh, '');
    for (const row of rows) {
      setText(row.files, '');
      setText(row.loadText, '');
      setText(row.score, '');
      row.load.set(0);
    }
    showDetails();
  };

  // ----- the bars -----
  const drawBars = () => {
    if (!stats || !axis) return;
    const minWidth = trackWidth > 0 ? MIN_BAR_PX / trackWidth : 0.004;
    layout = layoutLevels(stats.levels, axis, { minWidth, running });
    const seen = new Set<number>();
    for (const level of layout) {
      const row = rows[level.level];
      if (!row) continue;
      const trackHeight = level.level === 0 ? L0_TRACK : TRACK;
      const rowHeight = Math.min(MAX_SUB_ROW, trackHeight / level.rows);
      let active = false;
      for (const bar of level.bars) {
        seen.add(bar.number);
        active ||= bar.active;
        const top = level.level === 0 ? bar.row * rowHeight + (trackHeight - rowHeight * level.rows) / 2 : 1;
        const height = level.level === 0 ? rowHeight - 1 : trackHeight - 2;
        // Whole pixels once the track's width is known: a table whose place
        // moved by less than a pixel is not restyled.
        const across =
          trackWidth > 0
            ? `left:${Math.round(bar.x * trackWidth)}px;width:${Math.max(MIN_BAR_PX, Math.round(bar.width * trackWidth))}px;`
            : `left:${(bar.x * 100).toFixed(3)}%;width:${(bar.width * 100).toFixed(3)}%;`;
        const style = `${across}top:${top.toFixed(1)}px;height:${height.toFixed(1)}px;--shade:${(25 + bar.shade * 75).toFixed(0)}%`;
        let entry = bars.get(bar.number);
        if (!entry) {
          entry = { element: h('div', { class: 'lv-table', 'data-table': bar.number }), level: -1, style: '', bar };
          bars.set(bar.number, entry);
        }
        entry.bar = bar;
        if (entry.level !== level.level) {
          row.track.append(entry.element); // new, or moved down a level whole
          entry.level = level.level;
        }
        if (entry.style !== style) {
          entry.element.setAttribute('style', style);
          entry.style = style;
        }
        entry.element.classList.toggle('active', bar.active);
        entry.element.classList.toggle('selected', bar.number === pinned);
      }
      row.element.classList.toggle('compacting', active);
    }
    for (const [number, entry] of bars) {
      if (!seen.has(number)) {
        entry.element.remove();
        bars.delete(number);
      }
    }
  };

  // ----- the numbers of each level -----
  const drawLevels = (s: Stats) => {
    let files = 0;
    let bytes = 0;
    for (const level of s.levels) {
      const row = rows[level.level];
      if (!row) continue;
      files += level.files;
      bytes += level.bytes;
      setText(row.files, formatCount(level.files));
      const load = levelLoad(level, s, formatBytes);
      row.load.set(load.fill, load.status, load.marks);
      setText(row.loadText, load.text);
      const lastLevel = level.level === s.levels.length - 1;
      setText(row.score, lastLevel ? '–' : level.score.toFixed(2));
      row.score.classList.toggle('hot', !lastLevel && level.score >= 1);
      row.score.title = lastLevel ? 'The last level is never compacted further' : levelTitle(level);
    }
    setText(summary, `${formatCount(files)} table${files === 1 ? '' : 's'} · ${formatBytes(bytes)}`);
    const a = axis!;
    const middle = a.ticks([0.5])[0];
    setText(axisLow, a.smallest ? displayBytes(a.smallest, 28) : '');
    setText(axisHigh, a.largest ? displayBytes(a.largest, 28) : '');
    setText(axisMiddle, middle && files > 1 ? `½ ${displayBytes(middle.key, 24)}` : '');
    axisLow.title = a.smallest ? `smallest key: ${displayBytes(a.smallest, 200)}` : '';
    axisHigh.title = a.largest ? `largest key: ${displayBytes(a.largest, 200)}` : '';
  };

  // ----- the details box -----
  const fact = (label: string, value: string, cls = '', title?: string) =>
    h('div', { class: `lv-fact ${cls}`, title }, h('dt', {}, label), h('dd', { class: 'num' }, value));

  const showDetails = () => {
    const number = hovered ?? pinned ?? gone;
    const found = number === undefined ? undefined : tables.get(number);
    const t = found?.table;
    // Redraw only when what it shows changed.
    const key = t
      ? `${t.number}|${found.level}|${t.size}|${t.beingCompacted}|${running.has(t.number)}|${number === pinned}`
      : `none|${number ?? ''}|${stats ? 1 : 0}|${tables.size > 0}`;
    setText(emptyNote, stats && tables.size === 0 ? ' · no tables yet: writes are still in the memtable' : '');
    if (key === shownKey) return place(number);
    shownKey = key;
    details.classList.toggle('empty', !t);
    if (!t || !found) {
      details.hidden = number === undefined;
      setText(detailsTitle, number !== undefined ? `Table #${number} is gone (compacted into the next level).` : '');
      setText(detailsKeys, '');
      replace(detailsFacts);
      return place(number);
    }
    details.hidden = false;
    const compacting = t.beingCompacted || running.has(t.number);
    replace(
      detailsTitle,
      h('strong', {}, `Table #${t.number}`),
      ` in L${found.level}`,
      h('span', { class: 'muted num' }, ` · seq ${groupDigits(t.smallestSeq)} – ${groupDigits(t.largestSeq)}`),
      number === pinned ? h('span', { class: 'muted' }, ' · pinned') : null,
      compacting ? h('span', { class: 'lv-badge' }, 'being compacted') : null,
    );
    setText(detailsKeys, `${displayBytes(t.smallestKey, 60)}  …  ${displayBytes(t.largestKey, 60)}`);
    detailsKeys.title = `smallest: ${displayBytes(t.smallestKey, 400)}\nlargest: ${displayBytes(t.largestKey, 400)}`;
    replace(
      detailsFacts,
      fact('Entries', formatCount(t.entries)),
      fact('Tombstones', `${formatCount(t.tombstones)}${t.entries > 0 ? ` (${((t.tombstones / t.entries) * 100).toFixed(0)}%)` : ''}`),
      fact('Size', formatBytes(t.size), '', `${formatBytes(t.rawKeyBytes + t.rawValueBytes)} of keys and values before block encoding and compression`),
      fact('Compression', formatRatio(compressionRatio(t))),
      fact('Bloom', t.bloomBitsPerKey > 0 ? `${t.bloomBitsPerKey} bits/key` : 'none'),
      fact('Compacting', compacting ? 'yes' : 'no', compacting ? 'warn' : ''),
    );
    place(number);
  };

  /** Puts the details box next to the table it describes, inside the panel. */
  const place = (number: number | undefined) => {
    const bar = number === undefined ? undefined : bars.get(number)?.element;
    if (details.hidden || !bar || !bar.isConnected) return;
    const box = content.getBoundingClientRect();
    const at = bar.getBoundingClientRect();
    const width = details.offsetWidth;
    const height = details.offsetHeight;
    const left = Math.max(0, Math.min(at.left - box.left + at.width / 2 - width / 2, box.width - width));
    // Under the table, or over it where the panel (which clips) has no room
    // below; with room on neither side, on the side with more.
    const below = at.bottom - box.top + 6;
    const above = at.top - box.top - height - 6;
    const top = below + height <= box.height ? below : above >= 0 ? above : box.height - below > at.top - box.top ? below : 0;
    details.style.left = `${left.toFixed(0)}px`;
    details.style.top = `${top.toFixed(0)}px`;
  };

  const render = () => {
    if (!stats) return;
    tables.clear();
    for (const level of stats.levels) for (const table of level.tables) tables.set(table.number, { table, level: level.level });
    axis = rankAxis(stats.levels.flatMap((l) => l.tables));
    if (pinned !== undefined && !tables.has(pinned)) {
      gone = pinned;
      pinned = undefined;
    }
    drawLevels(stats);
    drawBars();
    showDetails();
  };

  // ----- pointer and keyboard -----
  const numberAt = (target: EventTarget | null): number | undefined => {
    const el = target instanceof Element ? target.closest<HTMLElement>('[data-table]') : null;
    return el ? Number(el.dataset.table) : undefined;
  };
  grid.addEventListener('mouseover', (e) => {
    const number = numberAt(e.target);
    if (number !== hovered) {
      hovered = number;
      if (number !== undefined) gone = undefined;
      showDetails();
    }
  });
  grid.addEventListener('mouseleave', () => {
    hovered = undefined;
    showDetails();
  });
  const pin = (number: number | undefined) => {
    gone = undefined;
    pinned = number === pinned ? undefined : number;
    for (const [n, entry] of bars) entry.element.classList.toggle('selected', n === pinned);
    showDetails();
  };
  grid.addEventListener('click', (e) => {
    const number = numberAt(e.target);
    if (number !== undefined) pin(number);
  });
  for (const row of rows) {
    row.track.addEventListener('keydown', (e) => {
      const level = Number(row.track.dataset.level);
      const order = (layout[level]?.bars ?? []).slice().sort((a, b) => a.x - b.x || a.row - b.row);
      if (order.length === 0) return;
      const current = order.findIndex((bar) => bar.number === (hovered ?? pinned));
      let next: number | undefined;
      if (e.key === 'ArrowRight') next = current < 0 ? 0 : Math.min(order.length - 1, current + 1);
      else if (e.key === 'ArrowLeft') next = current < 0 ? order.length - 1 : Math.max(0, current - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = order.length - 1;
      else if ((e.key === 'Enter' || e.key === ' ') && current >= 0) {
        e.preventDefault();
        pin(order[current]!.number);
        return;
      } else return;
      e.preventDefault();
      hovered = order[next]!.number;
      for (const [n, entry] of bars) entry.element.classList.toggle('focus', n === hovered);
      showDetails();
    });
    row.track.addEventListener('blur', () => {
      for (const entry of bars.values()) entry.element.classList.remove('focus');
      hovered = undefined;
      showDetails();
    });
  }

  // ----- the session -----
  const invalidate = session.painter.add(render);
  new ResizeObserver((entries) => {
    const width = Math.floor(entries[entries.length - 1]?.contentRect.width ?? 0);
    if (width > 0 && width !== trackWidth) {
      trackWidth = width;
      invalidate();
    }
  }).observe(rows[1]!.track);
  clear();
  showWhileOpen(session, content, placeholder);
  session.listen({
    switched() {
      clear();
    },
    stats(sample) {
      stats = sample.stats;
      invalidate();
    },
    event(e) {
      if (e.type !== 'compaction' || e.phase === 'progress') return;
      running = e.phase === 'started' ? new Set(e.inputs.map((t) => t.number)) : new Set();
      invalidate();
    },
  });
  return section;
}

function levelTitle(level: LevelStats): string {
  const moved = level.compactionBytesWritten > 0 ? `; compactions into it read ${formatBytes(level.compactionBytesRead)}, wrote ${formatBytes(level.compactionBytesWritten)}` : '';
  return `score ${level.score.toFixed(3)}${moved}`;
}
