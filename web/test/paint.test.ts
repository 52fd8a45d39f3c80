import { describe, expect, it } from 'vitest';
import { Painter, type PaintHost } from '../src/app/paint.js';

/** A page whose clock, timers, frames and screen the test drives. */
class FakePage implements PaintHost {
  time = 0;
  isHidden = false;
  private timers: { at: number; fn: () => void }[] = [];
  private frames: (() => void)[] = [];
  private visible: (() => void)[] = [];
  readonly watched = new Map<Element, (onScreen: boolean) => void>();
  /** What a draw costs, ms of the fake clock. */
  cost = 0;

  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => this.timers.push({ at: this.time + ms, fn });
  requestFrame = (fn: () => void) => void this.frames.push(fn);
  hidden = () => this.isHidden;
  onVisible = (fn: () => void) => void this.visible.push(fn);
  watch = (element: Element, fn: (onScreen: boolean) => void) => void this.watched.set(element, fn);

  /** Moves the clock on, firing timers and then the frames they asked for. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.time = Math.max(this.time, next.at);
      next.fn();
      while (this.frames.length > 0) this.frames.shift()!();
    }
    this.time = Math.max(this.time, end);
  }

  show(): void {
    this.isHidden = false;
    for (const fn of this.visible) fn();
  }
}

const element = () => ({}) as Element;

describe('Painter', () => {
  it('draws a dirty panel once per paint however often it is marked, at most every interval', () => {
    const page = new FakePage();
    const painter = new Painter(250, page);
    let draws = 0;
    const invalidate = painter.add(() => draws++);
    for (let i = 0; i < 50; i++) invalidate(); // 50 events in one task
    page.advance(0);
    expect(draws).toBe(1);
    // Marked again right after: waits for the interval.
    invalidate();
    page.advance(100);
    expect(draws).toBe(1);
    page.advance(150);
    expect(draws).toBe(2);
    page.advance(1000);
    expect(draws).toBe(2); // nothing dirty: no paint
  });

  it('draws every dirty panel in the same paint', () => {
    const page = new FakePage();
    const painter = new Painter(250, page);
    const order: string[] = [];
    const a = painter.add(() => order.push('a'));
    const b = painter.add(() => order.push('b'));
    a();
    b();
    page.advance(0);
    expect(order).toEqual(['a', 'b']);
    expect(painter.count).toBe(1);
  });

  it('runs clocked draws on every paint while they are active, and once more after', () => {
    const page = new FakePage();
    const painter = new Painter(250, page);
    let active = true;
    let ticks = 0;
    painter.every(() => ticks++, () => active);
    page.advance(1000);
    expect(ticks).toBe(5); // at 0, 250, 500, 750, 1000
    active = false;
    page.advance(1000);
    expect(ticks).toBe(6); // the last one shows how it ended
    page.advance(1000);
    expect(ticks).toBe(6);
  });

  it('holds back the draw of a panel off screen until it is shown', () => {
    const page = new FakePage();
    const painter = new Painter(250, page);
    const panel = element();
    let draws = 0;
    const invalidate = painter.add(() => draws++, panel);
    page.watched.get(panel)!(false);
    invalidate();
    page.advance(2000);
    expect(draws).toBe(0);
    page.watched.get(panel)!(true); // drawn as it comes into view, not a paint later
    expect(draws).toBe(1);
    page.advance(1000);
    expect(draws).toBe(1);
  });

  it('draws nothing while the page is hidden, and everything once when it is shown', () => {
    const page = new FakePage();
    const painter = new Painter(250, page);
    let a = 0;
    let b = 0;
    const invalidateA = painter.add(() => a++);
    painter.add(() => b++);
    page.isHidden = true;
    invalidateA();
    page.advance(2000);
    expect([a, b]).toEqual([0, 0]);
    page.show();
    page.advance(0);
    expect([a, b]).toEqual([1, 1]);
  });

  it('leaves the draws past its frame budget to the next frame', () => {
    const page = new FakePage();
    const painter = new Painter(250, page, 6);
    const drawn: number[] = [];
    const marks = [0, 1, 2, 3].map((i) =>
      painter.add(() => {
        drawn.push(i);
        page.time += 4; // each draw takes 4 ms
      }),
    );
    for (const mark of marks) mark();
    page.advance(0);
    // 4 ms, then 8 ms: over the 6 ms budget after two.
    expect(drawn).toEqual([0, 1]);
    // The other two follow in the next frame, not 250 ms later.
    page.advance(10);
    expect(drawn).toEqual([0, 1, 2, 3]);
    expect(painter.count).toBe(2);
  });
});
