// Health: each check of model/health.ts as a row (gauge against its
// thresholds, value), the browser's storage use and persistence (with a
// button to request it), and the verdict with its reasons; plus the badge
// the top bar shows.
import { h, panel, replace, setText } from '../app/dom.js';
import type { Session } from '../app/session.js';
import { LEVEL_TEXT, assessHealth, type CheckId, type CheckLevel, type Health, type HealthLevel, type StorageStatus } from '../model/health.js';
import './health.css';

/** How often navigator.storage.estimate() is asked again. */
const STORAGE_REFRESH_MS = 5_000;

const BADGE_CLASS: Record<HealthLevel, string> = { healthy: 'ok', degraded: 'warn', unhealthy: 'bad' };
const VALUE_CLASS: Record<CheckLevel, string> = { healthy: '', info: 'muted', unknown: 'muted', degraded: 'warn', unhealthy: 'bad' };
const ROWS: CheckId[] = ['database', 'read-only', 'writes', 'memtable', 'wal', 'l0', 'storage', 'persistence'];

interface Row {
  element: HTMLElement;
  label: HTMLElement;
  gauge: HTMLElement;
  value: HTMLElement;
}

function storageApi(): StorageManager | undefined {
  return typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.estimate === 'function' ? navigator.storage : undefined;
}

function makeRow(id: CheckId): Row {
  const label = h('span', { class: 'health-label' });
  const gauge = h('span', { class: 'health-gauge' });
  const value = h('span', { class: 'health-value num' });
  return { element: h('div', { class: 'health-row', id: `health-${id}` }, label, gauge, value), label, gauge, value };
}

function setBadge(el: HTMLElement, health: Health, extra = ''): void {
  const cls = `badge ${BADGE_CLASS[health.level]}${extra}`;
  if (el.className !== cls) el.className = cls;
  setText(el, LEVEL_TEXT[health.level]);
  el.title = health.reasons[0] ?? 'All checks pass.';
}

export function mountHealth(session: Session): { panel: HTMLElement; badge: HTMLElement } {
  const badge = h('span', { class: 'badge ok', id: 'health-badge', role: 'status', title: '' }, 'Healthy');
  const level = h('span', { class: 'badge ok health-level' }, 'Healthy');
  const { section, body } = panel('panel-health', 'Health', level);

  const rows = new Map<CheckId, Row>(ROWS.map((id) => [id, makeRow(id)]));
  const notes = h('ul', { class: 'health-notes', 'aria-live': 'polite' });
  const persistButton = h('button', { class: 'btn', type: 'button', id: 'persist-button' }, 'Request persistent storage');
  const persistAnswer = h('span', { class: 'health-answer muted' });

  body.append(
    h('div', { class: 'health-rows' }, ...[...rows.values()].map((r) => r.element)),
    notes,
    h('div', { class: 'row health-actions' }, persistButton, persistAnswer),
  );

  const api = storageApi();
  const storage: StorageStatus = { available: api !== undefined };
  if (!api) {
    persistButton.disabled = true;
    setText(persistAnswer, 'navigator.storage is not available in this browser.');
  }

  const render = () => {
    const sample = session.lastStats;
    const health = assessHealth({
      open: session.db !== undefined,
      name: session.name,
      stats: sample?.stats,
      readOnlyError: session.db?.readOnlyError?.message,
      storage,
    });
    setBadge(badge, health);
    setBadge(level, health, ' health-level');

    for (const check of health.checks) {
      const row = rows.get(check.id);
      if (!row) continue;
      setText(row.label, check.label);
      setText(row.value, check.value);
      row.value.className = `health-value num ${VALUE_CLASS[check.level]}`.trim();
      row.element.title = check.detail;
      renderGauge(row.gauge, check.gauge, check.level);
    }

    // Notes: what is wrong, worst first, then what is worth knowing.
    const lines = [
      ...health.checks.filter((c) => c.level === 'unhealthy').map((c) => ({ cls: 'bad', text: c.detail })),
      ...health.checks.filter((c) => c.level === 'degraded').map((c) => ({ cls: 'warn', text: c.detail })),
      ...health.checks.filter((c) => c.level === 'info').map((c) => ({ cls: 'muted', text: c.detail })),
    ];
    if (lines.length === 0) lines.push({ cls: 'ok', text: 'All checks pass.' });
    const key = lines.map((l) => `${l.cls}:${l.text}`).join('\n');
    if (notes.dataset.key !== key) {
      notes.dataset.key = key;
      replace(notes, ...lines.map((l) => h('li', { class: l.cls }, l.text)));
    }
    if (api) persistButton.disabled = storage.persisted === true;
  };

  const refreshStorage = async () => {
    if (!api) return;
    try {
      const estimate = await api.estimate();
      storage.usage = estimate.usage;
      storage.quota = estimate.quota;
    } catch (e) {
      storage.usage = storage.quota = undefined;
      session.note('warn', `navigator.storage.estimate() failed: ${String(e)}`);
    }
    try {
      if (typeof api.persisted === 'function') storage.persisted = await api.persisted();
    } catch {
      storage.persisted = undefined;
    }
    render();
  };

  persistButton.addEventListener('click', async () => {
    if (!api || typeof api.persist !== 'function') return;
    persistButton.disabled = true;
    setText(persistAnswer, 'Asking the browser…');
    try {
      const granted = await api.persist();
      storage.persisted = granted;
      setText(
        persistAnswer,
        granted
          ? 'Granted: the browser will keep this site’s data.'
          : 'Declined: the browser decides by how the site is used (bookmarked, installed, visited often); data stays best effort.',
      );
      session.note(granted ? 'info' : 'warn', `persistent storage ${granted ? 'granted' : 'declined'}`);
    } catch (e) {
      setText(persistAnswer, `The request failed: ${String(e)}`);
      session.note('error', `navigator.storage.persist() failed: ${String(e)}`);
    }
    render();
  });

  session.listen({ switched: render, stats: render });
  render();
  void refreshStorage();
  if (api) setInterval(() => void refreshStorage(), STORAGE_REFRESH_MS);
  return { panel: section, badge };
}

/** The bar (or nothing, for a check without one) with its threshold marks. */
function renderGauge(cell: HTMLElement, gauge: { value: number; max: number; marks: { at: number; kind: string; label: string }[] } | undefined, level: CheckLevel): void {
  if (!gauge) {
    if (cell.firstChild) replace(cell);
    return;
  }
  let bar = cell.firstElementChild as HTMLElement | null;
  const key = gauge.marks.map((m) => `${m.kind}@${(m.at / gauge.max).toFixed(4)}`).join(',');
  if (!bar || bar.dataset.marks !== key) {
    bar = h(
      'div',
      { class: 'gauge', 'data-marks': key },
      h('div', { class: 'gauge-fill' }),
      ...gauge.marks.map((m) =>
        h('div', { class: `gauge-mark ${m.kind}`, title: m.label, style: `left: calc(${((m.at / gauge.max) * 100).toFixed(2)}% - 1px)` }),
      ),
    );
    replace(cell, bar);
  }
  const fill = bar.firstElementChild as HTMLElement;
  const fraction = gauge.max > 0 ? Math.min(1, Math.max(0, gauge.value / gauge.max)) : 0;
  fill.style.width = `${(fraction * 100).toFixed(2)}%`;
  const cls = `gauge-fill${level === 'degraded' ? ' warn' : level === 'unhealthy' ? ' bad' : ''}`;
  if (fill.className !== cls) fill.className = cls;
}
