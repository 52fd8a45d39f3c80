// A gauge (styles.css .gauge) that updates in place: fill width, status
// colour and threshold marks are written only when they change.
import { h } from '../app/dom.js';

export type MeterStatus = 'ok' | 'warn' | 'bad';

export interface Meter {
  element: HTMLElement;
  /** fraction 0..1 (clamped); marks are fractions where thresholds lie. */
  set(fraction: number, status?: MeterStatus, marks?: readonly number[]): void;
}

export function meter(label: string): Meter {
  const fill = h('div', { class: 'gauge-fill' });
  const element = h('div', { class: 'gauge', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
  let marksKey = '';
  let marks: HTMLElement[] = [];
  return {
    element,
    set(fraction, status = 'ok', at = []) {
      const value = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      const width = `${(value * 100).toFixed(1)}%`;
      if (fill.style.width !== width) {
        fill.style.width = width;
        element.setAttribute('aria-valuenow', (value * 100).toFixed(0));
      }
      const cls = status === 'ok' ? 'gauge-fill' : `gauge-fill ${status}`;
      if (fill.className !== cls) fill.className = cls;
      const key = at.join(',');
      if (key !== marksKey) {
        marksKey = key;
        for (const m of marks) m.remove();
        marks = at.map((x) => h('div', { class: 'gauge-mark', style: `left: calc(${(x * 100).toFixed(2)}% - 1px)` }));
        element.append(...marks);
      }
    },
  };
}
