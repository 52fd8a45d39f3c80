// The database the dashboard is looking at, and the one stream of what it
// reports: stats polled twice a second and engine events as they happen.
// Panels subscribe here; none of them talks to the worker on its own timer.
import { StrataError, openInWorker, type OpenOptions, type Stats, type StrataEvent, type WorkerDatabase } from 'stratadb';

/** The dashboard's handle: keys and values are bytes, shown as text or hex. */
export type Db = WorkerDatabase<'binary', 'binary'>;

export type DbOptions = Omit<OpenOptions<'binary', 'binary'>, 'keyEncoding' | 'valueEncoding' | 'onError'>;

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
}

export const STATS_INTERVAL_MS = 500;

type Opener = (name: string, options: OpenOptions<'binary', 'binary'>) => Promise<Db>;

export class Session {
  private current: { name: string; db: Db; unsubscribe: () => void } | undefined;
  private readonly listeners = new Set<SessionListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private latest: StatsSample | undefined;

  constructor(private readonly opener: Opener = openInWorker) {}

  get db(): Db | undefined {
    return this.current?.db;
  }

  get name(): string | undefined {
    return this.current?.name;
  }

  get lastStats(): StatsSample | undefined {
    return this.latest;
  }

  /** Adds a listener; one with stats() hears the latest sample at once, if there is one. */
  listen(listener: SessionListener): () => void {
    this.listeners.add(listener);
    if (this.latest) listener.stats?.(this.latest);
    return () => this.listeners.delete(listener);
  }

  /** Opens `name` in its own worker, closing the current database first. */
  async open(name: string, options: DbOptions = {}): Promise<Db> {
    await this.close();
    const db = await this.opener(name, {
      ...options,
      keyEncoding: 'binary',
      valueEncoding: 'binary',
      // A database another tab writes to is still worth watching.
      ifLocked: 'readonly',
      onError: (e: StrataError) => this.note('error', `${name} turned read-only: ${e.message}`, { code: e.code }),
    });
    const unsubscribe = db.subscribe((event) => this.emit((l) => l.event?.(event, Date.now())));
    this.current = { name, db, unsubscribe };
    this.latest = undefined;
    this.note(db.readOnly ? 'warn' : 'info', db.readOnly ? `opened ${name} read-only: another tab or worker has it open for writing` : `opened ${name}`);
    this.emit((l) => l.switched?.(name));
    await this.poll();
    return db;
  }

  /** Closes the current database, making its writes durable. */
  async close(): Promise<void> {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    this.latest = undefined;
    clearTimeout(this.timer);
    current.unsubscribe();
    try {
      if (!current.db.closed) await current.db.close();
      this.note('info', `closed ${current.name}`);
    } catch (e) {
      this.note('error', `closing ${current.name}: ${String(e)}`);
    }
    this.emit((l) => l.switched?.(undefined));
  }

  /** Reads the stats now (and then every STATS_INTERVAL_MS). */
  async poll(): Promise<void> {
    clearTimeout(this.timer);
    const current = this.current;
    if (!current) return;
    try {
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

/** For a panel: shows `content` while a database is open, `placeholder` while none is. */
export function showWhileOpen(session: Session, content: HTMLElement, placeholder: HTMLElement): void {
  const show = () => {
    placeholder.hidden = session.db !== undefined;
    content.hidden = session.db === undefined;
  };
  show();
  session.listen({ switched: show });
}
