// The top bar: which database is open and this tab's role (writer, or
// viewer while another tab writes; read-only with the reason when writes are
// refused), a button to take over writing once a viewer's writer went away,
// the health badge, and the last sequence number. In the one-column layout of
// a narrow window the tools come after the whole overview: a button jumps
// there.
import { h, setText } from '../app/dom.js';
import { formatCount } from '../app/format.js';
import type { Session } from '../app/session.js';
import { accessOf } from '../model/access.js';

export function mountTopbar(session: Session, healthBadge: HTMLElement, tools: HTMLElement): HTMLElement {
  const name = h('span', { class: 'badge', id: 'current-database', title: 'The open database' }, 'no database');
  const mode = h('span', { class: 'badge', id: 'current-mode', hidden: true });
  const takeOver = h('button', { class: 'btn primary', type: 'button', id: 'take-over', hidden: true }, 'Take over writing');
  takeOver.addEventListener('click', () => void session.takeOver());
  const sequence = h('span', { class: 'muted num', id: 'last-sequence', title: 'Last sequence number' });
  const toTools = h('button', { class: 'btn topbar-jump', type: 'button', title: 'Jump to the console, key browser and other tools' }, 'Tools ↓');
  toTools.addEventListener('click', () => {
    tools.scrollIntoView({ block: 'start' });
    tools.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus({ preventScroll: true });
  });

  const draw = () => {
    const opened = session.name;
    setText(name, opened ?? 'no database');
    name.className = `badge ${opened ? 'ok' : ''}`;
    const access = accessOf({
      open: session.db !== undefined,
      role: session.role,
      readOnlyError: session.db?.readOnlyError?.message,
      stats: session.lastStats?.stats,
      writerGone: session.writerGone,
    });
    mode.hidden = access.state === 'closed';
    setText(mode, access.label);
    mode.className = `badge ${access.state === 'read-only' ? 'bad' : access.state === 'viewer' ? 'warn' : 'ok'}`;
    mode.dataset.state = access.state;
    mode.title = access.detail;
    takeOver.hidden = !session.writerGone;
    const stats = session.lastStats?.stats;
    setText(sequence, stats ? `seq ${formatCount(stats.lastSequence)}` : '');
  };
  const invalidate = session.painter.add(draw);
  session.listen({ switched: invalidate, stats: invalidate, access: invalidate, event: (e) => e.type === 'error' && invalidate() });
  draw();
  return h(
    'header',
    { class: 'topbar' },
    h('h1', {}, 'StrataDB'),
    name,
    mode,
    takeOver,
    h('span', { class: 'spacer' }),
    sequence,
    healthBadge,
    toTools,
  );
}
