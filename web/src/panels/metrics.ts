// The Metrics tab: the engine's Prometheus text exposition (the same
// numbers the panels draw), refreshed while shown, viewable and downloadable.
import './metrics.css';
import { download, h, setText } from '../app/dom.js';
import type { Session } from '../app/session.js';

const REFRESH_MS = 2000;

export function mountMetrics(session: Session): HTMLElement {
  const text = h('pre', { class: 'metrics-text', id: 'metrics-text', tabindex: 0 }, 'No database is open.');
  const status = h('span', { class: 'muted num', id: 'metrics-status' });
  const auto = h('input', { type: 'checkbox', checked: true, id: 'metrics-auto' });
  let timer: ReturnType<typeof setTimeout> | undefined;

  const visible = () => !root.closest('[hidden]');
  const refresh = async () => {
    clearTimeout(timer);
    const db = session.db;
    if (!db) {
      setText(text, 'No database is open.');
      setText(status, '');
      return;
    }
    try {
      const exposition = await db.metrics();
      setText(text, exposition);
      const families = exposition.split('\n').filter((l) => l.startsWith('# TYPE')).length;
      setText(status, `${families} metric families · ${new Date().toLocaleTimeString()}`);
    } catch (e) {
      setText(status, `could not read metrics: ${String(e)}`);
    }
    if (auto.checked && visible()) timer = setTimeout(() => void refresh(), REFRESH_MS);
  };

  const reload = h('button', { class: 'btn', type: 'button' }, 'Refresh');
  reload.addEventListener('click', () => void refresh());
  auto.addEventListener('change', () => void refresh());
  const save = h('button', { class: 'btn', type: 'button', id: 'metrics-download' }, 'Download .prom');
  save.addEventListener('click', () => download(`stratadb-${session.name ?? 'metrics'}.prom`, text.textContent ?? '', 'text/plain; version=0.0.4'));

  session.listen({ switched: () => void refresh() });
  const root = h(
    'div',
    { class: 'metrics' },
    h('div', { class: 'row' }, reload, h('label', {}, auto, ' auto-refresh'), save, status),
    text,
  );
  // Refresh (and start the auto-refresh) when the tab is shown: app/tabs.ts fires tool-shown.
  root.addEventListener('tool-shown', () => void refresh());
  return root;
}
