// The top bar: which database is open (and whether read-only), the health
// badge, and how fresh the numbers are. In the one-column layout of a narrow
// window the tools come after the whole overview: a button jumps there.
import { h, setText } from '../app/dom.js';
import { formatCount } from '../app/format.js';
import type { Stats } from 'stratadb';
import type { Session } from '../app/session.js';

export function mountTopbar(session: Session, healthBadge: HTMLElement, tools: HTMLElement): HTMLElement {
  const name = h('span', { class: 'badge', id: 'current-database', title: 'The open database' }, 'no database');
  const mode = h('span', { class: 'muted', id: 'current-mode' });
  const sequence = h('span', { class: 'muted num', id: 'last-sequence', title: 'Last sequence number' });
  const toTools = h('button', { class: 'btn topbar-jump', type: 'button', title: 'Jump to the console, key browser and other tools' }, 'Tools ↓');
  toTools.addEventListener('click', () => {
    tools.scrollIntoView({ block: 'start' });
    tools.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus({ preventScroll: true });
  });
  /** 'read-only' with the reason as its tooltip, or nothing. */
  const showMode = (stats?: Stats) => {
    const db = session.db;
    const why =
      db?.readOnlyError?.message ??
      (db?.readOnly ? 'another tab or worker has this database open for writing' : undefined) ??
      (stats?.readOnly ? stats.readOnlyReason || 'the engine gave no reason' : undefined);
    setText(mode, why === undefined ? '' : 'read-only');
    mode.title = why ?? '';
  };
  session.listen({
    switched: (opened) => {
      setText(name, opened ?? 'no database');
      name.className = `badge ${opened ? 'ok' : ''}`;
      showMode();
      setText(sequence, '');
    },
    stats: ({ stats }) => {
      setText(sequence, `seq ${formatCount(stats.lastSequence)}`);
      showMode(stats);
    },
    event: (event) => event.type === 'error' && showMode(session.lastStats?.stats),
  });
  return h(
    'header',
    { class: 'topbar' },
    h('h1', {}, 'StrataDB'),
    name,
    mode,
    h('span', { class: 'spacer' }),
    sequence,
    healthBadge,
    toTools,
  );
}
