// A gauge (styles.css .gauge) that updates in place: fill (a horizontal
// scale, which needs no layout), status colour and threshold marks are
// written only when they change.
import { h } from '../app/dom.js';

export type MeterStatus = 'ok' | 'warn' | 'bad';

/** A threshold on the gauge: where it lies (0..1), its class (styled per panel) and its tooltip. */
export interface MeterMark {
  at: number;
  kind?: string;
  label?: string;
}

export interface Meter {
  element: HTMLElement;
  /** fraction 0..1 (clamped); marks are where thresholds lie (fractions, or MeterMarks). */
  set(fraction: number, status?: MeterStatus, marks?: readonly (number | MeterMark)[]): void;
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
      const scale = `scaleX(${value.toFixed(3)})`;
      if (fill.style.transform !== scale) {
        fill.style.transform = scale;
        element.setAttribute('aria-valuenow', (value * 100).toFixed(0));
      }
      const cls = status === 'ok' ? 'gauge-fill' : `gauge-fill ${status}`;
      if (fill.className !== cls) fill.className = cls;
      const list = at.map((m) => (typeof m === 'number' ? { at: m } : m));
      const key = list.map((m) => `${m.at.toFixed(4)}:${m.kind ?? ''}:${m.label ?? ''}`).join(',');
      if (key !== marksKey) {
        marksKey = key;
        for (const m of marks) m.remove();
        marks = list.map((m) =>
          h('div', { class: m.kind ? `gauge-mark ${m.kind}` : 'gauge-mark', title: m.label, style: `left: calc(${(m.at * 100).toFixed(2)}% - 1px)` }),
        );
        element.append(...marks);
      }
    },
  };
}
