// The database the dashboard is looking at, and the one stream of what it
// reports: stats polled twice a second and engine events as they happen.
// Panels subscribe here; none of them talks to the worker on its own timer.
//
// A tab is the database's writer, or, when another tab holds the write lock,
// its viewer: a read-only handle that refreshes itself (reopens on what is
// stored now) every few seconds, and watches the lock; when the writer goes
// away the viewer offers to take over (or does, if asked to remember that).
import { StrataError, openInWorker, type OpenOptions, type Stats, type StrataEvent, type WorkerDatabase } from 'stratadb';
import { Painter } from './paint.js';
import { writerLockHeld } from './writer-lock.js';

/** The dashboard's handle: keys and values are bytes, shown as text or hex. */
export type Db = WorkerDatabase<'binary', 'binary'>;

export type DbOptions = Omit<OpenOptions<'binary', 'binary'>, 'keyEncoding' | 'valueEncoding' | 'onError'>;

/** Writer: this tab holds the write lock. Viewer: another one does; this one reads what is stored. */
export type Role = 'writer' | 'viewer';

export interface StatsSample {
  /** Date.now() when the stats were read. */
  at: number;
  stats: Stats;
}

export interface SessionListener {
  /** A database was opened (name) or closed (undefined). */
  switched?(name: string | undefined): void;
  stats?(sample: StatsSample): void;
  event?(event: StrataEvent, at: number): void;
  /** Something the dashboard itself did or saw, for the log. */
  note?(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
  /** The role, the writer's presence or the take-over setting changed. */
  access?(): void;
  /** A viewer reopened its handle on what is stored now. */
  refreshed?(): void;
}

export const STATS_INTERVAL_MS = 500;
/** A viewer reopens at most this often (longer if a reopen takes long). */
export const VIEWER_REFRESH_MS = 3000;
/** A viewer asks whether the write lock is still held this often. */
export const LOCK_CHECK_MS = 1000;
const TAKE_OVER_KEY = 'stratadb-dashboard:take-over';

type Opener = (name: string, options: OpenOptions<'binary', 'binary'>) => Promise<Db>;

interface Current {
  name: string;
  db: Db;
  options: DbOptions;
  unsubscribe: () => void;
  openedAt: number;
}

function readSetting(): boolean {
  try {
    return globalThis.localStorage?.getItem(TAKE_OVER_KEY) === 'yes';
  } catch {
    return false;
  }
}

export class Session {
  readonly painter: Painter;
  private current: Current | undefined;
  private readonly listeners = new Set<SessionListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private latest: StatsSample | undefined;
  private gone = false;
  private nextRefresh = 0;
  private nextLockCheck = 0;
  private takingOver = false;
  private queue: Promise<unknown> = Promise.resolve();
  private autoTakeOver = readSetting();

  constructor(
    private readonly opener: Opener = openInWorker,
    painter?: Painter,
  ) {
    this.painter = painter ?? new Painter();
  }

  get db(): Db | undefined {
    return this.current?.db;
  }

  get name(): string | undefined {
    return this.current?.name;
  }

  /** When the open database was opened (Date.now()), for ids unique to this opening. */
  get openedAt(): number | undefined {
    return this.current?.openedAt;
  }

  get lastStats(): StatsSample | undefined {
    return this.latest;
  }

  /** Whether writes without a durability of their own wait for their commit. */
  get durableByDefault(): boolean {
    return this.current?.options.durability !== 'deferred';
  }

  /** undefined while no database is open. */
  get role(): Role | undefined {
    const db = this.current?.db;
    return db ? (db.readOnly ? 'viewer' : 'writer') : undefined;
  }

  /** A viewer's writer went away: the write lock is free to take. */
  get writerGone(): boolean {
    return this.role === 'viewer' && this.gone;
  }

  /** Whether a viewer takes the write lock as soon as the writer goes away. */
  get takeOverAutomatically(): boolean {
    return this.autoTakeOver;
  }

  set takeOverAutomatically(on: boolean) {
    this.autoTakeOver = on;
    try {
      globalThis.localStorage?.setItem(TAKE_OVER_KEY, on ? 'yes' : 'no');
    } catch {
      // not remembered; applies to this visit
    }
    this.emit((l) => l.access?.());
    if (on && this.writerGone) void this.takeOver();
  }

  /** Adds a listener; one with stats() hears the latest sample at once, if there is one. */
  listen(listener: SessionListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener.stats?.(this.latest);
    return () => this.listeners.delete(listener);
  }

  /** Opens `name` in its own worker, closing the current database first. */
  open(name: string, options: DbOptions = {}): Promise<Db> {
    return this.serially(() => this.openNow(name, options));
  }

  /** Closes the current database, making its writes durable. */
  close(): Promise<void> {
    return this.serially(() => this.closeNow());
  }

  // Opens and closes run one at a time (a take-over on a timer may meet an
  // open from the Databases tab): no handle is ever replaced unclosed.
  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async openNow(name: string, options: DbOptions): Promise<Db> {
    await this.closeNow();
    const db = await this.opener(name, {
      ...options,
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      // A database another tab writes to is still worth watching.
      ifLocked: 'readonly',
      onError: (e: StrataError) => this.note('error', `${name} turned read-only: ${e.message}`, { code: e.code }),
    });
    const unsubscribe = db.subscribe((event) => this.emit((l) => l.event?.(event, Date.now())));
    this.current = { name, db, options, unsubscribe, openedAt: Date.now() };
    this.latest = undefined;
    this.gone = false;
    this.nextRefresh = Date.now() + VIEWER_REFRESH_MS;
    this.nextLockCheck = 0;
    this.note(
      'info',
      db.readOnly ? `opened ${name} as a viewer: another tab or worker writes to it; this one shows what it stores` : `opened ${name}`,
    );
    this.emit((l) => l.switched?.(name));
    this.emit((l) => l.access?.());
    await this.poll();
    return db;
  }

  private async closeNow(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.latest = undefined;
    this.gone = false;
    clearTimeout(this.timer);
    current.unsubscribe();
    // Listeners let go first (a running workload stops sending), then the close.
    this.emit((l) => l.switched?.(undefined));
    this.emit((l) => l.access?.());
    try {
      if (!current.db.closed) await current.db.close();
      this.note('info', `closed ${current.name}`);
    } catch (e) {
      this.note('error', `closing ${current.name}: ${String(e)}`);
    }
  }

  /** A viewer becomes the writer: reopens the database, which takes the lock if it is free. */
  async takeOver(): Promise<void> {
    const current = this.current;
    if (!current || this.role !== 'viewer' || this.takingOver) return;
    this.takingOver = true;
    try {
      this.note('info', `taking over ${current.name}: its writer went away`);
      await this.open(current.name, current.options);
      if (this.role === 'viewer') this.note('warn', `${current.name} has a writer again (another tab was quicker); still a viewer`);
    } catch (e) {
      this.note('error', `taking over ${current.name} failed: ${String(e)}`);
    } finally {
      this.takingOver = false;
    }
  }

  /** Reads the stats now (and then every STATS_INTERVAL_MS); a viewer also refreshes and checks the lock when due. */
  async poll(): Promise<void> {
    clearTimeout(this.timer);
    const current = this.current;
    if (!current) return;
    try {
      if (this.role === 'viewer') await this.watchWriter(current);
      if (this.current !== current) return;
      const stats = await current.db.stats();
      if (this.current !== current) return;
      this.latest = { at: Date.now(), stats };
      const sample = this.latest;
      this.emit((l) => l.stats?.(sample));
    } catch (e) {
      if (this.current !== current) return;
      this.note('error', `reading stats: ${String(e)}`);
    }
    if (this.current === current) this.timer = setTimeout(() => void this.poll(), STATS_INTERVAL_MS);
  }

  note(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.emit((l) => l.note?.(level, message, fields));
  }

  /** A viewer's upkeep: is the writer still there, and a fresh view when one is due. */
  private async watchWriter(current: Current): Promise<void> {
    const now = Date.now();
    if (now >= this.nextLockCheck) {
      this.nextLockCheck = now + LOCK_CHECK_MS;
      const held = await writerLockHeld(current.name);
      if (this.current !== current) return;
      const gone = held === false;
      if (gone !== this.gone) {
        this.gone = gone;
        this.note(gone ? 'warn' : 'info', gone ? `the writer of ${current.name} went away: this tab can take over` : `${current.name} has a writer again`);
        this.emit((l) => l.access?.());
      }
      if (gone && this.autoTakeOver) {
        void this.takeOver();
        return;
      }
    }
    if (now >= this.nextRefresh) {
      this.nextRefresh = now + VIEWER_REFRESH_MS; // a failed refresh waits its turn too
      try {
        await current.db.refresh();
      } catch (e) {
        if (this.current === current) this.note('warn', `refreshing the view of ${current.name}: ${String(e)}`);
        return;
      }
      if (this.current !== current) return;
      const took = Date.now() - now;
      this.nextRefresh = Date.now() + Math.max(VIEWER_REFRESH_MS, 10 * took);
      this.emit((l) => l.refreshed?.());
    }
  }

  private emit(call: (listener: SessionListener) => void): void {
    for (const listener of this.listeners) {
      try {
        call(listener);
      } catch (e) {
        console.error(e);
      }
    }
  }
}

/**
 * For a panel: shows `content` while a database is open, `placeholder`
 * (over it) while none is. The content keeps its place either way, so
 * opening a database moves nothing on the page.
 */
export function showWhileOpen(session: Session, content: HTMLElement, placeholder: HTMLElement): void {
  placeholder.classList.add('placeholder-over');
  const show = () => {
    placeholder.hidden = session.db !== undefined;
    content.classList.toggle('unseen', session.db === undefined);
  };
  show();
  session.listen({ switched: show });
}
