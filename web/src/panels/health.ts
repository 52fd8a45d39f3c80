// Health: each check of model/health.ts as a row (gauge against its
// thresholds, value), the browser's storage use and persistence (with a
// button to request it), whether a viewer takes over writing by itself, and
// the verdict with its reasons; plus the badge the top bar shows. Drawn by
// the painter (app/paint.ts) from the session's latest sample.
import { h, panel, replace, setText } from '../app/dom.js';
import type { Records } from '../app/records.js';
import type { Session } from '../app/session.js';
import { LEVEL_TEXT, assessHealth, type CheckId, type CheckLevel, type Health, type HealthLevel, type StorageStatus } from '../model/health.js';
import { meter, type Meter, type MeterStatus } from './meter.js';
import './health.css';

/** How often navigator.storage.estimate() is asked again. */
const STORAGE_REFRESH_MS = 5_000;

const BADGE_CLASS: Record<HealthLevel, string> = { healthy: 'ok', degraded: 'warn', unhealthy: 'bad' };
const VALUE_CLASS: Record<CheckLevel, string> = { healthy: '', info: 'muted', unknown: 'muted', degraded: 'warn', unhealthy: 'bad' };
const GAUGE_STATUS: Record<CheckLevel, MeterStatus> = { healthy: 'ok', info: 'ok', unknown: 'ok', degraded: 'warn', unhealthy: 'bad' };
const ROWS: CheckId[] = ['database', 'access', 'writes', 'commits', 'memtable', 'wal', 'l0', 'storage', 'persistence'];

interface Row {
  element: HTMLElement;
  label: HTMLElement;
  /** The gauge's cell; empty (but laid out) for a check without a gauge. */
  gauge: HTMLElement;
  meter: Meter;
  value: HTMLElement;
}

function storageApi(): StorageManager | undefined {
  return typeof navigator !== 'undefined' && navigator.storage && typeof navigator.storage.estimate === 'function' ? navigator.storage : undefined;
}

function makeRow(id: CheckId): Row {
  const label = h('span', { class: 'health-label' });
  const bar = meter(id);
  const gauge = h('span', { class: 'health-gauge' }, bar.element);
  const value = h('span', { class: 'health-value num' });
  return { element: h('div', { class: 'health-row', id: `health-${id}` }, label, gauge, value), label, gauge, meter: bar, value };
}

function setBadge(el: HTMLElement, health: Health, extra = ''): void {
  const cls = `badge ${BADGE_CLASS[health.level]}${extra}`;
  if (el.className !== cls) el.className = cls;
  setText(el, LEVEL_TEXT[health.level]);
  el.title = health.reasons[0] ?? 'All checks pass.';
}

export function mountHealth(session: Session, records: Records): { panel: HTMLElement; badge: HTMLElement } {
  const badge = h('span', { class: 'badge ok', id: 'health-badge', role: 'status', title: '' }, 'Healthy');
  const level = h('span', { class: 'badge ok health-level' }, 'Healthy');
  const { section, body } = panel('panel-health', 'Health', level);

  const rows = new Map<CheckId, Row>(ROWS.map((id) => [id, makeRow(id)]));
  // Not a live region: its reasons carry numbers that change with every
  // sample. The top bar's badge (role=status) announces a change of verdict.
  const notes = h('ul', { class: 'health-notes' });
  const persistButton = h('button', { class: 'btn', type: 'button', id: 'persist-button' }, 'Request persistent storage');
  const persistAnswer = h('span', { class: 'health-answer muted' });
  const autoTakeOver = h('input', { type: 'checkbox', id: 'take-over-auto' });
  autoTakeOver.checked = session.takeOverAutomatically;
  autoTakeOver.addEventListener('change', () => (session.takeOverAutomatically = autoTakeOver.checked));

  body.append(
    h('div', { class: 'health-rows' }, ...[...rows.values()].map((r) => r.element)),
    notes,
    h('div', { class: 'row health-actions' }, persistButton, persistAnswer),
    h(
      'label',
      { class: 'health-option', title: 'A viewer tab (another tab writes) becomes the writer as soon as that tab closes the database.' },
      autoTakeOver,
      ' When the writing tab goes away, take over writing',
    ),
  );

  const api = storageApi();
  const storage: StorageStatus = { available: api !== undefined };
  if (!api) {
    persistButton.disabled = true;
    persistAnswer.textContent = persistAnswer.title = 'navigator.storage is not available in this browser.';
  }

  const render = () => {
    const sample = session.lastStats;
    const point = records.rates.latest;
    const health = assessHealth({
      open: session.db !== undefined,
      name: session.name,
      stats: sample?.stats,
      readOnlyError: session.db?.readOnlyError?.message,
      role: session.role,
      writerGone: session.writerGone,
      commits: point && sample ? { perSec: point.commitsPerSec, meanMicros: point.commitMicros, waiting: sample.stats.commits.waiting } : undefined,
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
      const gauge = check.gauge;
      row.gauge.classList.toggle('none', !gauge);
      if (gauge) {
        const name = `${check.label} against its limits`;
        if (row.meter.element.getAttribute('aria-label') !== name) row.meter.element.setAttribute('aria-label', name);
        row.meter.set(
          gauge.max > 0 ? gauge.value / gauge.max : 0,
          GAUGE_STATUS[check.level],
          gauge.marks.map((m) => ({ at: m.at / gauge.max, kind: m.kind, label: m.label })),
        );
      }
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
    autoTakeOver.checked = session.takeOverAutomatically;
  };
  const invalidate = session.painter.add(render);

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
    invalidate();
  };

  // One line however long the answer: the whole text is its tooltip, so nothing below moves.
  const setAnswer = (text: string) => {
    setText(persistAnswer, text);
    persistAnswer.title = text;
  };
  persistButton.addEventListener('click', async () => {
    if (!api || typeof api.persist !== 'function') return;
    persistButton.disabled = true;
    setAnswer('Asking the browser…');
    try {
      const granted = await api.persist();
      storage.persisted = granted;
      setAnswer(
        granted
          ? 'Granted: the browser will keep this site’s data.'
          : 'Declined: the browser decides by how the site is used (bookmarked, installed, visited often); data stays best effort.',
      );
      session.note(granted ? 'info' : 'warn', `persistent storage ${granted ? 'granted' : 'declined'}`);
    } catch (e) {
      setAnswer(`The request failed: ${String(e)}`);
      session.note('error', `navigator.storage.persist() failed: ${String(e)}`);
    }
    invalidate();
  });

  // Storage use is asked again once the database is open and after its first
  // commit (asked before, it still says 0 B), then every few seconds.
  let askAfterCommit = false;
  session.listen({
    switched: () => {
      askAfterCommit = true;
      void refreshStorage();
    },
    stats: invalidate,
    access: invalidate,
    event: (e) => {
      if (e.type === 'durable' && askAfterCommit) {
        askAfterCommit = false;
        void refreshStorage();
      } else if (e.type === 'error') invalidate();
    },
  });
  render();
  void refreshStorage();
  if (api) setInterval(() => void refreshStorage(), STORAGE_REFRESH_MS);
  return { panel: section, badge };
}
