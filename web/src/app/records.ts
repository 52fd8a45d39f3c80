// What the dashboard keeps of the open database, shared by the panels that
// draw it: the log, the compaction history, the chart points (each from the
// session's one stats sample, with the caller-side latencies of the same
// window) and the caller latencies themselves. A writer tab saves the log
// (less its debug entries), the history and the points (app/saved-history.ts)
// and every opening starts from what was saved; a viewer tab shows what the
// writer saved, reloaded after each refresh.
import { CompactionHistory } from '../model/compaction-history.js';
import { EventLog, entryForEvent, entryForNote, type LogEntry } from '../model/event-log.js';
import { CallerLatency } from '../model/latency-window.js';
import { RATE_SMOOTH_MS, RateHistory, type CallerPoint, type RatePoint } from '../model/rates.js';
import type { SavedHistory, SavedRecords } from './saved-history.js';
import type { Session, StatsSample } from './session.js';

/** A log entry's key in the saved history: its time in µs, and a count within the millisecond. */
const logSeq = (entry: LogEntry, n: number): number => Date.parse(entry.ts) * 1000 + (n % 1000);

/** Rows of each kind the compaction history keeps. */
const HISTORY_ROWS = 200;

export type RecordsPart = 'log' | 'history' | 'rates';

export class Records {
  readonly log = new EventLog();
  readonly history = new CompactionHistory(HISTORY_ROWS);
  readonly rates = new RateHistory();
  readonly caller = new CallerLatency();
  private readonly listeners = new Map<RecordsPart, Set<() => void>>();
  /** Counts openings, so a load that answers after a switch is dropped. */
  private opening = 0;
  /** The newest saved log entry and point a viewer has shown (their seqs). */
  private seen: { log?: number; point?: number } = {};
  /** Makes log keys unique within a millisecond. */
  private logSeq = 0;

  constructor(
    private readonly session: Session,
    private readonly saved: SavedHistory | undefined,
  ) {
    session.listen({
      switched: (name) => this.switched(name),
      stats: (sample) => this.sample(sample),
      event: (event, at) => {
        this.addLog(entryForEvent(event, at));
        if (this.history.event(event, at)) {
          for (const row of this.history.touched) this.save('row', `${String(Math.round(row.at)).padStart(15, '0')}|${row.id}`, row);
          this.changed('history');
        }
      },
      note: (level, message, fields) => this.addLog(entryForNote(level, message, fields)),
      refreshed: () => void this.reloadForViewer().catch((e) => this.session.note('warn', `reading the writer's saved history: ${String(e)}`)),
    });
  }

  /** Calls `fn` when that part changes; returns the function that stops it. */
  on(part: RecordsPart, fn: () => void): () => void {
    let set = this.listeners.get(part);
    if (!set) this.listeners.set(part, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Forgets the open database's log, history and chart points, here and (for its writer) saved. */
  async clearSaved(): Promise<void> {
    const name = this.session.name;
    this.log.clear();
    this.history.reset(this.prefix());
    this.rates.clear();
    this.changedAll();
    // A viewer's history is the writer's: it clears only its own view.
    if (name && this.writer) await this.saved?.clear(name);
  }

  private prefix(): string {
    return `${this.session.openedAt ?? 0}-`;
  }

  private get writer(): boolean {
    return this.session.role === 'writer';
  }

  private save(kind: 'log' | 'row' | 'point', seq: number | string, value: unknown): void {
    const name = this.session.name;
    if (name && this.writer) this.saved?.put(name, kind, seq, value);
  }

  private changed(part: RecordsPart): void {
    for (const fn of this.listeners.get(part) ?? []) fn();
  }

  private changedAll(): void {
    for (const part of ['log', 'history', 'rates'] as const) this.changed(part);
  }

  private addLog(entry: LogEntry): void {
    this.log.add(entry);
    // Debug entries (each commit, table file and WAL segment) stay in this
    // page only: under a load they come by the hundred a second.
    if (entry.level !== 'debug') this.save('log', logSeq(entry, this.logSeq++), entry);
    this.changed('log');
  }

  private switched(name: string | undefined): void {
    const ticket = ++this.opening;
    // The log is the open database's: what this opening noted, then what was saved.
    if (name) this.log.dropBefore(new Date(this.session.openedAt ?? 0).toISOString());
    this.history.reset(this.prefix());
    this.rates.clear();
    this.caller.clear();
    this.seen = {};
    this.changedAll();
    if (!name || !this.saved) return;
    this.saved.load(name).then(
      (records) => {
        if (ticket !== this.opening) return;
        this.log.restore(records.logs);
        this.history.restore(records.rows);
        this.rates.restore([...records.points.filter((p) => !this.rates.points.length || p.at < this.rates.points[0]!.at), ...this.rates.points]);
        this.noteSeen(records);
        this.changedAll();
      },
      (e) => this.session.note('warn', `reading the saved history of ${name}: ${String(e)}`),
    );
  }

  /** A viewer shows the writer's saved history: new log entries and points, and its rows. */
  private async reloadForViewer(): Promise<void> {
    const name = this.session.name;
    if (!name || !this.saved || this.writer) return;
    const ticket = this.opening;
    const records = await this.saved.load(name, this.seen);
    if (ticket !== this.opening) return;
    for (const entry of records.logs) this.log.add(entry);
    this.history.reset(this.prefix());
    this.history.restore(records.rows);
    if (records.points.length > 0) this.rates.restore([...this.rates.points, ...records.points]);
    this.noteSeen(records);
    this.changedAll();
  }

  private noteSeen(records: SavedRecords): void {
    const log = records.logs[records.logs.length - 1];
    const point = records.points[records.points.length - 1];
    if (log) this.seen.log = logSeq(log, 999);
    if (point) this.seen.point = point.at;
  }

  private sample(sample: StatsSample): void {
    // A viewer's own counters restart with every refresh and count only its
    // reads: its charts are the writer's saved points.
    if (!this.writer) return;
    const now = performance.now();
    const kind = (k: 'durable' | 'deferred' | 'read') => this.caller.summary(k, now, RATE_SMOOTH_MS);
    const [durable, deferred, read] = [kind('durable'), kind('deferred'), kind('read')];
    const caller: CallerPoint = {
      durableP50: durable.p50,
      durableP99: durable.p99,
      deferredP50: deferred.p50,
      deferredP99: deferred.p99,
      readP50: read.p50,
      readP99: read.p99,
    };
    const point: RatePoint | null = this.rates.push({ ...sample, caller });
    if (point) {
      this.save('point', point.at, point);
      this.changed('rates');
    }
  }
}
