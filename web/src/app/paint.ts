// One clock for every redraw. Stats, events and timers only update models;
// a panel registers its draw here and marks it dirty when its model
// changed. The painter runs the dirty draws together, at most once every
// PAINT_MS, inside an animation frame, so the page restyles and lays out a
// few times a second, not once per event, sample or timer. Draws registered
// with every() (text that changes with time alone: "3.2 s ago", elapsed
// times) run on each paint while they say they are active, and once more
// after, so that they show how things ended.
//
// The page's thread is shared with everything else the page does, so a
// paint keeps small: a draw registered with its element (a tool in a tab)
// waits while that element is not shown, and once a frame has spent
// FRAME_BUDGET_MS drawing, the draws left over go in the next frame. (The
// overview's panels draw whether or not they are scrolled into view: the
// browser does not render them off screen, and a picture of the whole page
// must show them current.)
// While the page is hidden nothing is drawn; when it is shown again every
// draw runs once.

export const PAINT_MS = 500;
/** Script time one frame may spend drawing before the rest waits for the next frame. */
export const FRAME_BUDGET_MS = 10;

/** What the painter needs of the page: timers, frames, visibility. Tests pass their own. */
export interface PaintHost {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  requestFrame(fn: () => void): void;
  hidden(): boolean;
  onVisible(fn: () => void): void;
  /** Calls `fn` whenever `element` comes on screen or goes off it. */
  watch(element: Element, fn: (onScreen: boolean) => void): void;
}

let observer: IntersectionObserver | undefined;
const watchers = new Map<Element, ((onScreen: boolean) => void)[]>();

const browserHost: PaintHost = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  requestFrame: (fn) => void requestAnimationFrame(() => fn()),
  hidden: () => document.hidden,
  onVisible: (fn) => document.addEventListener('visibilitychange', () => !document.hidden && fn()),
  watch: (element, fn) => {
    observer ??= new IntersectionObserver((entries) => {
      for (const entry of entries) for (const fn of watchers.get(entry.target) ?? []) fn(entry.isIntersecting);
    });
    const fns = watchers.get(element);
    if (fns) return void fns.push(fn);
    watchers.set(element, [fn]);
    observer.observe(element);
  },
};

interface Draw {
  run: () => void;
  /** On screen (true until the host says otherwise). */
  shown: boolean;
}

interface Clocked extends Draw {
  active: () => boolean;
  /** Active at its last run: it runs once more when it turns inactive. */
  wasActive: boolean;
}

export class Painter {
  private readonly dirty = new Set<Draw>();
  private readonly all = new Set<Draw>();
  private readonly clocked: Clocked[] = [];
  private pending = false;
  private last = -Infinity;
  private paints = 0;
  /** Draws left over from a frame that spent its budget: the next frame takes them, without waiting PAINT_MS. */
  private carry = false;

  constructor(
    private readonly intervalMs = PAINT_MS,
    private readonly host: PaintHost = browserHost,
    private readonly budgetMs = FRAME_BUDGET_MS,
  ) {
    host.onVisible(() => this.invalidateAll());
  }

  /** How many paints ran (for tests). */
  get count(): number {
    return this.paints;
  }

  /**
   * Registers a draw; returns the function that marks it dirty. With an
   * element, the draw waits while that element is off screen.
   */
  add(run: () => void, element?: Element): () => void {
    const draw: Draw = { run, shown: true };
    this.all.add(draw);
    this.follow(draw, element);
    return () => {
      this.dirty.add(draw);
      this.schedule();
    };
  }

  /** A draw that runs on every paint while active() holds (and keeps the clock going). */
  every(run: () => void, active: () => boolean = () => true, element?: Element): void {
    const draw: Clocked = { run, active, shown: true, wasActive: false };
    this.clocked.push(draw);
    this.follow(draw, element);
    this.schedule();
  }

  /** Runs every draw on the next paint. */
  invalidateAll(): void {
    for (const draw of this.all) this.dirty.add(draw);
    this.schedule();
  }

  private follow(draw: Draw, element: Element | undefined): void {
    if (!element) return;
    this.host.watch(element, (onScreen) => {
      draw.shown = onScreen;
      if (!onScreen || this.host.hidden()) return;
      // Scrolled or switched into view: drawn now, so its first frame on
      // screen shows what it held back, not what it showed before.
      if (this.dirty.delete(draw)) this.run(draw);
      else if (this.clocked.includes(draw as Clocked)) this.runClocked(draw as Clocked);
      this.schedule();
    });
  }

  private due(): Draw[] {
    const draws: Draw[] = [...this.dirty].filter((d) => d.shown);
    for (const c of this.clocked) if (c.shown && (c.wasActive || c.active())) draws.push(c);
    return draws;
  }

  private schedule(): void {
    if (this.pending || this.host.hidden() || this.due().length === 0) return;
    this.pending = true;
    const wait = this.carry ? 0 : Math.max(0, this.last + this.intervalMs - this.host.now());
    this.host.setTimeout(() => this.host.requestFrame(() => this.paint()), wait);
  }

  private paint(): void {
    this.pending = false;
    if (this.host.hidden()) return;
    const started = this.host.now();
    if (!this.carry) this.last = started;
    this.carry = false;
    let drew = false;
    for (const draw of [...this.dirty]) {
      if (!draw.shown) continue;
      if (drew && this.host.now() - started >= this.budgetMs) {
        this.carry = true;
        break;
      }
      this.dirty.delete(draw);
      this.run(draw);
      drew = true;
    }
    if (!this.carry) for (const c of this.clocked) if (c.shown) this.runClocked(c);
    this.paints++;
    this.schedule();
  }

  /** Runs a clocked draw if it is active or was at its last run. */
  private runClocked(c: Clocked): void {
    const active = c.active();
    if (!active && !c.wasActive) return;
    c.wasActive = active;
    this.run(c);
  }

  private run(draw: Draw): void {
    try {
      draw.run();
    } catch (e) {
      console.error(e);
    }
  }
}
