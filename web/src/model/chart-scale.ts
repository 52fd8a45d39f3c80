// Axis scales for the line charts: a y range that ends on a round number
// with evenly spaced round ticks, and time ticks for the last N minutes.

export interface NiceScale {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** The round step (1, 2, 2.5 or 5 × 10^k) that splits `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * A scale from `min` (usually 0) that covers `max`, with about `count`
 * ticks on round values. A flat or empty series still gets a range of at
 * least `minSpan`, so a zero line sits at the bottom instead of the middle.
 */
export function niceScale(min: number, max: number, count = 4, minSpan = 1): NiceScale {
  let lo = Number.isFinite(min) ? min : 0;
  let hi = Number.isFinite(max) ? max : lo + minSpan;
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi - lo < minSpan) hi = lo + minSpan;
  const step = niceStep(hi - lo, count);
  const niceMin = Math.floor(lo / step) * step;
  const niceMax = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  // Rounding each tick to the step's precision avoids 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let v = niceMin; v <= niceMax + step / 2; v += step) ticks.push(Number(v.toFixed(decimals)));
  return { min: niceMin, max: niceMax, step, ticks };
}

export interface TimeTick {
  /** Milliseconds before the right edge. */
  ago: number;
  label: string;
}

/** Ticks for a window of `windowMs` ending now: "−4m" … "now", or "−45s" … for short windows. */
export function timeTicks(windowMs: number): TimeTick[] {
  const step = windowMs <= 60_000 ? 15_000 : windowMs <= 180_000 ? 30_000 : 60_000;
  const ticks: TimeTick[] = [];
  for (let ago = Math.floor(windowMs / step) * step; ago >= 0; ago -= step) {
    const label = ago === 0 ? 'now' : ago % 60_000 === 0 ? `−${ago / 60_000}m` : `−${ago / 1000}s`;
    ticks.push({ ago, label });
  }
  return ticks;
}
