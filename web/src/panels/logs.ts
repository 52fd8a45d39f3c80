// The Logs tab: engine events and the dashboard's notes in columns (time,
// level, event, levels, summary), newest first, filtered by lowest level and
// by text; a row opens to its JSON. The log is the shared Records' (kept
// across reloads, per database); copy and download give JSON lines; Clear
// forgets this database's saved log, compaction history and chart points.
import './logs.css';
import { download, h, setText } from '../app/dom.js';
import { formatClock } from '../app/format.js';
import type { Records } from '../app/records.js';
import type { Session } from '../app/session.js';
import { LEVELS, type LogEntry, type LogLevel, entryLevels, toJsonLines } from '../model/event-log.js';

// Rows drawn; the log itself keeps more, for copy and download.
const SHOWN = 300;

export function mountLogs(session: Session, records: Records): HTMLElement {
  const log = records.log;
  let min: LogLevel = 'info';
  let text = '';
  const level = h(
    'select',
    { id: 'logs-level', 'aria-label': 'Lowest level shown' },
    ...LEVELS.map((l) => h('option', { value: l, selected: l === min }, l)),
  );
  const search = h('input', { type: 'search', id: 'logs-filter', placeholder: 'filter: event, levels or text', 'aria-label': 'Show entries containing', spellcheck: 'false' });
  const count = h('span', { class: 'muted num', id: 'logs-count' });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'table log-table', id: 'logs-table' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Level'), h('th', { scope: 'col' }, 'Event'), h('th', { scope: 'col' }, 'Levels'), h('th', { scope: 'col' }, 'Summary')),
    ),
    tbody,
  );
  const box = h('div', { class: 'log-box', id: 'logs-lines', role: 'region', 'aria-label': 'Log entries, newest first', tabindex: 0 }, table);
  const status = h('span', { class: 'muted' });
  const rows = new Map<LogEntry, HTMLTableRowElement>();
  // The opened entries' JSON, each in a row of its own under the entry's.
  const details = new Map<LogEntry, HTMLTableRowElement>();

  const row = (entry: LogEntry): HTMLTableRowElement => {
    const summary = h('td', { class: 'log-summary' }, entry.message);
    const tr = h(
      'tr',
      { class: `log-row log-${entry.level}`, 'data-event': entry.event, tabindex: -1, 'aria-expanded': 'false', title: 'Click to show the whole entry as JSON' },
      h('td', { class: 'num', title: entry.ts }, formatClock(Date.parse(entry.ts))),
      h('td', { class: 'log-level' }, entry.level),
      h('td', { class: 'mono', title: entry.event }, entry.event),
      h('td', { class: 'mono' }, entryLevels(entry)),
      summary,
    );
    tr.addEventListener('click', () => {
      if (window.getSelection()?.toString()) return; // selecting text, not opening
      const detail = details.get(entry);
      tr.setAttribute('aria-expanded', String(!detail));
      if (detail) {
        detail.remove();
        details.delete(entry);
        return;
      }
      const json = h('tr', { class: 'log-json-row' }, h('td', { colspan: 5 }, h('pre', { class: 'log-json' }, JSON.stringify(entry, null, 2))));
      details.set(entry, json);
      tr.after(json);
    });
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        tr.click();
      }
    });
    return tr;
  };

  const draw = () => {
    const shown = log.query(min, text, SHOWN);
    const keep = new Set(shown);
    for (const [entry, tr] of rows) {
      if (!keep.has(entry)) {
        tr.remove();
        rows.delete(entry);
        details.get(entry)?.remove();
        details.delete(entry);
      }
    }
    // In order, moving only rows out of place (new entries go in at the top).
    let cursor = tbody.firstElementChild;
    const place = (tr: HTMLTableRowElement) => {
      if (tr === cursor) cursor = cursor.nextElementSibling;
      else tbody.insertBefore(tr, cursor);
    };
    shown.forEach((entry, i) => {
      let tr = rows.get(entry);
      if (!tr) rows.set(entry, (tr = row(entry)));
      tr.tabIndex = i === 0 ? 0 : -1;
      place(tr);
      const detail = details.get(entry);
      if (detail) place(detail);
    });
    const total = log.count(min);
    setText(count, `${shown.length < total && text === '' ? `newest ${shown.length} of ` : ''}${text ? `${shown.length} matching of ` : ''}${total} entries`);
  };

  level.addEventListener('change', () => {
    min = level.value as LogLevel;
    draw();
  });
  search.addEventListener('input', () => {
    text = search.value;
    draw();
  });
  // Arrow keys move between rows.
  tbody.addEventListener('keydown', (e) => {
    const tr = e.target instanceof HTMLElement ? e.target.closest('tr') : null;
    const step = (from: Element | null | undefined) => (e.key === 'ArrowDown' ? from?.nextElementSibling : from?.previousElementSibling);
    let to = e.key === 'ArrowDown' || e.key === 'ArrowUp' ? step(tr) : undefined;
    if (to?.classList.contains('log-json-row')) to = step(to); // entries only
    if (to instanceof HTMLElement) {
      e.preventDefault();
      to.focus();
    }
  });

  const copy = h('button', { class: 'btn', type: 'button', id: 'logs-copy' }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(toJsonLines(log.filter(min)));
      setText(status, 'copied');
    } catch (e) {
      setText(status, `copy failed: ${String(e)}`);
    }
  });
  const save = h('button', { class: 'btn', type: 'button', id: 'logs-download' }, 'Download .jsonl');
  save.addEventListener('click', () =>
    download(`stratadb-${session.name ?? 'log'}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`, toJsonLines(log.filter(min)), 'application/x-ndjson'),
  );
  const clear = h('button', { class: 'btn danger', type: 'button', id: 'logs-clear', title: 'Forget this database’s saved log, compaction history and chart points' }, 'Clear history');
  clear.addEventListener('click', async () => {
    try {
      await records.clearSaved();
      setText(status, `cleared the history of ${session.name ?? 'the database'}`);
    } catch (e) {
      setText(status, `clearing the saved history failed: ${String(e)}`);
    }
    draw();
  });

  const root = h(
    'div',
    { class: 'logs' },
    h('div', { class: 'row' }, h('label', {}, 'Level ', level), search, count, h('span', { class: 'spacer' }), copy, save, clear),
    h('div', { class: 'row logs-status' }, status),
    box,
  );
  // Drawn while shown: the painter holds it back while the tab is hidden.
  records.on('log', session.painter.add(draw, root));
  return root;
}
