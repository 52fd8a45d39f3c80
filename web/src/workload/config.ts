// The workload form, checked before anything reaches the engine: every
// field a whole number in range, with a one-line message naming the field
// and the accepted range when it is not.
import { MIXES, type WorkloadKind } from './mix.js';
import { MAX_KEY_SPACE, MAX_VALUE_SIZE } from './keys.js';

export const MAX_RATE = 50_000;

export interface WorkloadConfig {
  kind: WorkloadKind;
  /** Target operations per second. */
  rate: number;
  /** Keys are key:000000000 .. formatKey(keySpace - 1). */
  keySpace: number;
  /** Bytes per value written. */
  valueSize: number;
}

export const DEFAULT_CONFIG: WorkloadConfig = { kind: 'random', rate: 5000, keySpace: 100_000, valueSize: 256 };

export interface WorkloadForm {
  kind: string;
  rate: string;
  keySpace: string;
  valueSize: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; field: keyof WorkloadForm };

/**
 * A whole number from what a user typed; groups of three digits may be
 * separated by commas, underscores or spaces ("10,000"), so "1,0000" (a
 * slip) is refused rather than read as 10000.
 */
export function parseWholeNumber(text: string, name: string, min: number, max: number): { ok: true; value: number } | { ok: false; error: string } {
  const range = `${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: `${name} is empty: enter a whole number from ${range}.` };
  const digits = trimmed.replace(/(?<=\d)[,_ ](?=\d{3}(?!\d))/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, error: `${name} must be a whole number from ${range}, got ${JSON.stringify(trimmed)}.` };
  const value = Number(digits);
  if (value < min || value > max) return { ok: false, error: `${name} must be from ${range}, got ${value.toLocaleString('en-US')}.` };
  return { ok: true, value };
}

export function parseWorkloadForm(form: WorkloadForm): Parsed<WorkloadConfig> {
  const mix = MIXES.find((m) => m.kind === form.kind);
  if (!mix) {
    return { ok: false, field: 'kind', error: `Unknown workload ${JSON.stringify(form.kind)}: pick one of ${MIXES.map((m) => m.kind).join(', ')}.` };
  }
  const rate = parseWholeNumber(form.rate, 'Rate (ops/s)', 1, MAX_RATE);
  if (!rate.ok) return { ok: false, field: 'rate', error: rate.error };
  const keySpace = parseWholeNumber(form.keySpace, 'Key space', 1, MAX_KEY_SPACE);
  if (!keySpace.ok) return { ok: false, field: 'keySpace', error: keySpace.error };
  const valueSize = parseWholeNumber(form.valueSize, 'Value size (bytes)', 1, MAX_VALUE_SIZE);
  if (!valueSize.ok) return { ok: false, field: 'valueSize', error: valueSize.error };
  return { ok: true, value: { kind: mix.kind, rate: rate.value, keySpace: keySpace.value, valueSize: valueSize.value } };
}
