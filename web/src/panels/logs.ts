// The Logs tab: engine events and the dashboard's notes as JSON lines, with
// a level filter, copy and download.
import './logs.css';
import { download, h, replace, setText } from '../app/dom.js';
import type { Session } from '../app/session.js';
import { EventLog, LEVELS, type LogEntry, type LogLevel, atLeast, entryForEvent, entryForNote, toJsonLine, toJsonLines } from '../model/event-log.js';

// Lines kept on screen; the log itself keeps MAX_ENTRIES for copy/download.
const SHOWN = 500;

export function mountLogs(session: Session): HTMLElement {
  const log = new EventLog();
  let min: LogLevel = 'info';
  const level = h(
    'select',
    { id: 'logs-level', 'aria-label': 'Lowest level shown' },
    ...LEVELS.map((l) => h('option', { value: l, selected: l === min }, l)),
  );
  const count = h('span', { class: 'muted num', id: 'logs-count' });
  const lines = h('div', { class: 'log-lines', id: 'logs-lines', role: 'log', 'aria-live': 'off' });
  const status = h('span', { class: 'muted' });
  let follow = true;
  lines.addEventListener('scroll', () => {
    follow = lines.scrollTop + lines.clientHeight >= lines.scrollHeight - 4;
  });

  const line = (entry: LogEntry) => h('div', { class: `log-line log-${entry.level}` }, toJsonLine(entry));
  const render = () => {
    const shown = log.filter(min);
    replace(lines, ...shown.slice(-SHOWN).map(line));
    setText(count, `${shown.length} of ${log.size} entries`);
    if (follow) lines.scrollTop = lines.scrollHeight;
  };
  const add = (entry: LogEntry) => {
    log.add(entry);
    if (!atLeast(entry, min)) return;
    lines.appendChild(line(entry));
    while (lines.childElementCount > SHOWN) lines.firstElementChild!.remove();
    setText(count, `${log.count(min)} of ${log.size} entries`);
    if (follow) lines.scrollTop = lines.scrollHeight;
  };

  level.addEventListener('change', () => {
    min = level.value as LogLevel;
    render();
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
  const clear = h('button', { class: 'btn', type: 'button' }, 'Clear');
  clear.addEventListener('click', () => {
    log.clear();
    render();
  });

  session.listen({
    event: (event, at) => add(entryForEvent(event, at)),
    note: (lvl, message, fields) => add(entryForNote(lvl, message, fields)),
  });
  render();
  return h('div', { class: 'logs' }, h('div', { class: 'row' }, h('label', {}, 'Level ', level), count, h('span', { class: 'spacer' }), copy, save, clear, status), lines);
}
