// Is the database healthy? One verdict from the latest stats and the
// browser's storage status, with every reason a sentence a user can act on.
//
// Levels: a check is healthy, degraded (works, but slower or closer to a
// limit than it should be) or unhealthy (writes refused or about to be);
// 'info' is worth knowing but not a fault (storage not persistent),
// 'unknown' means there is nothing to judge yet. The overall level is the
// worst of the checks; info and unknown never raise it.
import type { Stats } from 'stratadb';
import { formatBytes, formatMillis, formatPercent, groupDigits } from '../app/format.js';
import { accessOf } from './access.js';
import { plural } from './event-text.js';

export type HealthLevel = 'healthy' | 'degraded' | 'unhealthy';
export type CheckLevel = HealthLevel | 'info' | 'unknown';

export type CheckId = 'database' | 'access' | 'writes' | 'commits' | 'memtable' | 'wal' | 'l0' | 'storage' | 'persistence';

export interface GaugeMark {
  /** Position on the gauge's scale (same unit as value). */
  at: number;
  /** What crossing it means: 'warn' slows, 'bad' stops, 'info' starts background work. */
  kind: 'info' | 'warn' | 'bad';
  label: string;
}

export interface Gauge {
  value: number;
  max: number;
  marks: GaugeMark[];
}

export interface HealthCheck {
  id: CheckId;
  label: string;
  level: CheckLevel;
  /** The measurement, short: "9 / 12 files". */
  value: string;
  /** One or two sentences. */
  detail: string;
  gauge?: Gauge;
}

export interface StorageStatus {
  /** navigator.storage exists in this browser. */
  available: boolean;
  /** From navigator.storage.estimate(); undefined until known (or when it failed). */
  usage?: number | undefined;
  quota?: number | undefined;
  /** From navigator.storage.persisted(); undefined until known. */
  persisted?: boolean | undefined;
}

export interface HealthInput {
  /** A database is open. */
  open: boolean;
  name?: string | undefined;
  /** The latest stats of the open database, if any arrived yet. */
  stats?: Stats | undefined;
  /** session.db.readOnlyError?.message: why the package refuses writes. */
  readOnlyError?: string | undefined;
  /** session.role: a viewer is a read-only handle (another tab or worker writes). */
  role?: 'writer' | 'viewer' | undefined;
  /** A viewer found the write lock free. */
  writerGone?: boolean | undefined;
  /** Commits over the recent window (model/rates.ts), when measured. */
  commits?: CommitHealth | undefined;
  storage?: StorageStatus | undefined;
}

export interface CommitHealth {
  perSec: number;
  /** Mean time per commit, µs; null without commits in the window. */
  meanMicros: number | null;
  /** Writers waiting for a commit now. */
  waiting: number;
}

export interface Health {
  level: HealthLevel;
  /** The details of the checks that are not healthy, worst first. */
  reasons: string[];
  checks: HealthCheck[];
}

/** Storage used above these fractions of the quota is degraded / unhealthy. */
export const STORAGE_DEGRADED = 0.8;
export const STORAGE_UNHEALTHY = 0.95;
/** Commits slower than this on average keep every durable writer waiting at least as long: degraded. */
export const COMMIT_SLOW_MICROS = 250_000;

const RANK: Record<CheckLevel, number> = { unknown: 0, info: 0, healthy: 0, degraded: 1, unhealthy: 2 };

const WAITING = 'Waiting for the first stats.';
const noStats = (id: CheckId, label: string, detail: string): HealthCheck => ({ id, label, level: 'unknown', value: '–', detail });

function databaseCheck(input: HealthInput): HealthCheck {
  const name = input.name ? `“${input.name}”` : 'The database';
  if (!input.open)
    return {
      id: 'database',
      label: 'Database',
      level: 'unhealthy',
      value: 'not open',
      detail: 'No database is open: open or create one in the Databases tab.',
    };
  if (!input.stats) return { id: 'database', label: 'Database', level: 'healthy', value: 'open', detail: `${name} is open; waiting for its first stats.` };
  return { id: 'database', label: 'Database', level: 'healthy', value: 'open', detail: `${name} is open.` };
}

function accessCheck(input: HealthInput, s: Stats | undefined): HealthCheck {
  const base = { id: 'access' as const, label: 'Access' };
  const access = accessOf({ open: input.open, role: input.role, readOnlyError: input.readOnlyError, stats: s, writerGone: input.writerGone });
  if (access.state === 'read-only') {
    return { ...base, level: 'unhealthy', value: 'read-only', detail: access.detail };
  }
  // Watching a database another tab writes to is normal; the writes are theirs.
  if (access.state === 'viewer') return { ...base, level: 'info', value: input.writerGone ? 'viewer · writer gone' : 'viewer', detail: access.detail };
  if (!s) return noStats(base.id, base.label, WAITING);
  return { ...base, level: 'healthy', value: 'writer', detail: 'This tab writes to the database; writes are accepted.' };
}

function commitsCheck(input: HealthInput): HealthCheck {
  const base = { id: 'commits' as const, label: 'Commits' };
  if (input.role === 'viewer') return { ...base, level: 'info', value: '–', detail: 'The writer’s tab commits; a viewer stores nothing.' };
  const c = input.commits;
  if (!c) return noStats(base.id, base.label, 'Waiting for two stats samples.');
  const mean = c.meanMicros;
  const value = mean === null ? `idle · ${plural(c.waiting, 'waiting', 'waiting')}` : `${formatMillis(mean / 1000)} · ${c.perSec.toFixed(1)}/s`;
  if (mean !== null && mean >= COMMIT_SLOW_MICROS) {
    return {
      ...base,
      level: 'degraded',
      value,
      detail: `Commits to IndexedDB take ${formatMillis(mean / 1000)} on average (${c.perSec.toFixed(1)} a second), so every durable write waits at least that long; ${plural(c.waiting, 'write waits', 'writes wait')} for one now.`,
    };
  }
  const detail =
    mean === null
      ? 'No commit in the last seconds: nothing new to store.'
      : `Commits take ${formatMillis(mean / 1000)} on average, ${c.perSec.toFixed(1)} a second; ${plural(c.waiting, 'write waits', 'writes wait')} for one now.`;
  return { ...base, level: 'healthy', value, detail };
}

function writesCheck(s: Stats): HealthCheck {
  const value = `${plural(s.slowdownWrites, 'slowed', 'slowed')} · ${plural(s.stoppedWrites, 'stopped', 'stopped')}`;
  if (s.writeStopped)
    return {
      id: 'writes',
      label: 'Writes',
      level: 'unhealthy',
      value: 'stopped',
      detail: 'Writes are stopped: a write is waiting for a flush or compaction to finish.',
    };
  const detail =
    s.slowdownWrites + s.stoppedWrites === 0
      ? 'No write has been delayed since the database was opened.'
      : `Writes are flowing; since the database was opened ${plural(s.slowdownWrites, 'write was', 'writes were')} slowed and ${plural(s.stoppedWrites, 'write', 'writes')} waited, ${(s.stallMicros / 1e6).toFixed(1)} s in all.`;
  return { id: 'writes', label: 'Writes', level: 'healthy', value, detail };
}

function memtableCheck(s: Stats): HealthCheck {
  const limit = s.memtableLimit;
  const full = limit > 0 && s.memtableBytes >= limit;
  const base = { id: 'memtable' as const, label: 'Memtable', gauge: { value: s.memtableBytes, max: Math.max(limit, 1), marks: [] } };
  const value =
    `${formatBytes(s.memtableBytes)} / ${formatBytes(limit)}` +
    (s.immutableMemtable ? ` + ${formatBytes(s.immutableMemtableBytes)} flushing` : '');
  if (full && s.immutableMemtable)
    return {
      ...base,
      level: 'degraded',
      value,
      detail: `The memtable is full (${formatBytes(s.memtableBytes)} of ${formatBytes(limit)}) and the previous one is still being flushed: writes wait for that flush.`,
    };
  if (s.immutableMemtable)
    return {
      ...base,
      level: 'healthy',
      value,
      detail: `A full memtable (${formatBytes(s.immutableMemtableBytes)}) is being flushed to L0; the new one holds ${plural(s.memtableEntries, 'entry', 'entries')}.`,
    };
  return {
    ...base,
    level: 'healthy',
    value,
    detail: full
      ? `The memtable is full (${formatBytes(s.memtableBytes)}); the next write switches to a new one and flushes this one.`
      : `The memtable holds ${plural(s.memtableEntries, 'entry', 'entries')}, ${formatPercent(limit > 0 ? s.memtableBytes / limit : 0)} of its ${formatBytes(limit)} limit.`,
  };
}

function walCheck(s: Stats): HealthCheck {
  const live = s.walLiveSegments;
  const limit = s.walSegmentLimit;
  if (limit <= 0)
    return {
      id: 'wal',
      label: 'WAL',
      level: 'healthy',
      value: plural(live, 'segment'),
      detail: `The WAL has ${plural(live, 'live segment')}; no segment limit is set.`,
    };
  // The limit is per memtable: while a full memtable is flushed its segments
  // are still live next to the new memtable's, so twice the limit is normal then.
  const allowed = s.immutableMemtable ? 2 * limit : limit;
  const gauge: Gauge = {
    value: live,
    max: Math.max(2 * limit, live),
    marks: [{ at: limit, kind: 'info', label: `memtable flushed at ${limit} segments` }],
  };
  const value = `${groupDigits(live)} / ${groupDigits(limit)} segments`;
  if (live > allowed)
    return {
      id: 'wal',
      label: 'WAL',
      level: 'degraded',
      value,
      gauge,
      detail: `The WAL has ${plural(live, 'live segment')}; a memtable is flushed at ${limit}${s.immutableMemtable ? ' (twice that while one is flushing)' : ''}, so old segments are not being released and opening the database replays more than it should.`,
    };
  return {
    id: 'wal',
    label: 'WAL',
    level: 'healthy',
    value,
    gauge,
    detail: `The WAL has ${plural(live, 'live segment')}; the memtable is flushed when its writes span ${limit}.`,
  };
}

function l0Check(s: Stats): HealthCheck {
  const files = s.levels[0]?.files ?? 0;
  const start = s.l0CompactionTrigger;
  const slow = s.l0SlowdownTrigger;
  const stop = s.l0StopTrigger;
  const marks: GaugeMark[] = [];
  if (start > 0) marks.push({ at: start, kind: 'info', label: `compaction starts at ${start}` });
  if (slow > 0) marks.push({ at: slow, kind: 'warn', label: `writes slow down at ${slow}` });
  if (stop > 0) marks.push({ at: stop, kind: 'bad', label: `writes stop at ${stop}` });
  const gauge: Gauge = { value: files, max: Math.max(stop, files, 1), marks };
  // Against the compaction trigger, as the level's score is (score = files / trigger).
  const value = start > 0 ? `${files} / ${start} files` : plural(files, 'file');
  const has = `L0 has ${plural(files, 'file')}`;
  if (stop > 0 && files >= stop)
    return { id: 'l0', label: 'L0 files', level: 'unhealthy', value, gauge, detail: `${has}; writes stop at ${stop} until a compaction finishes.` };
  if (slow > 0 && files >= slow)
    return { id: 'l0', label: 'L0 files', level: 'degraded', value, gauge, detail: `${has}; writes slow down at ${slow}.` };
  const detail =
    start > 0 && files >= start
      ? `${has}; a compaction into L1 is due (it starts at ${start}).`
      : `${has}${start > 0 ? `; a compaction starts at ${start}` : ''}.`;
  return { id: 'l0', label: 'L0 files', level: 'healthy', value, gauge, detail };
}

function storageCheck(storage: StorageStatus | undefined): HealthCheck {
  const base = { id: 'storage' as const, label: 'Storage' };
  if (!storage || !storage.available)
    return { ...base, level: 'unknown', value: 'not available', detail: 'This browser does not report storage use (navigator.storage is not available).' };
  const { usage, quota } = storage;
  if (usage === undefined || quota === undefined || !(quota > 0))
    return { ...base, level: 'unknown', value: '–', detail: 'The browser has not reported storage use yet.' };
  // Asked before the first commit lands, browsers answer 0 B for a while.
  if (usage === 0) return { ...base, level: 'unknown', value: 'measuring…', detail: 'The browser reports no storage use yet; it is asked again after the next commit.' };
  const used = usage / quota;
  const gauge: Gauge = {
    value: usage,
    max: quota,
    marks: [
      { at: quota * STORAGE_DEGRADED, kind: 'warn', label: `${formatPercent(STORAGE_DEGRADED)} of the quota` },
      { at: quota * STORAGE_UNHEALTHY, kind: 'bad', label: `${formatPercent(STORAGE_UNHEALTHY)} of the quota` },
    ],
  };
  const value = `${formatBytes(usage)} / ${formatBytes(quota)}`;
  const uses = `This site uses ${formatBytes(usage)} of its ${formatBytes(quota)} storage quota (${formatPercent(used)})`;
  if (used > STORAGE_UNHEALTHY)
    return { ...base, level: 'unhealthy', value, gauge, detail: `${uses}; writes will soon fail with QuotaExceeded. Free space by destroying databases you do not need.` };
  if (used > STORAGE_DEGRADED)
    return { ...base, level: 'degraded', value, gauge, detail: `${uses}; above ${formatPercent(STORAGE_DEGRADED)}, writes may soon fail.` };
  return { ...base, level: 'healthy', value, gauge, detail: `${uses}.` };
}

function persistenceCheck(storage: StorageStatus | undefined): HealthCheck {
  const base = { id: 'persistence' as const, label: 'Persistence' };
  if (!storage || !storage.available)
    return { ...base, level: 'unknown', value: 'not available', detail: 'This browser cannot report or request persistent storage.' };
  if (storage.persisted === undefined) return { ...base, level: 'unknown', value: '–', detail: 'The browser has not said yet whether storage is persistent.' };
  if (storage.persisted)
    return { ...base, level: 'healthy', value: 'persistent', detail: 'Storage is persistent: the browser will not clear it without the user’s consent.' };
  return {
    ...base,
    level: 'info',
    value: 'best effort',
    detail: 'Storage is not persistent: the browser may clear it when the disk runs low. Request persistence to keep it.',
  };
}

export function assessHealth(input: HealthInput): Health {
  const s = input.stats;
  const waiting = input.open ? WAITING : 'No database is open.';
  const checks: HealthCheck[] = [
    databaseCheck(input),
    input.open ? accessCheck(input, s) : noStats('access', 'Access', waiting),
    s ? writesCheck(s) : noStats('writes', 'Writes', waiting),
    input.open ? commitsCheck(input) : noStats('commits', 'Commits', waiting),
    s ? memtableCheck(s) : noStats('memtable', 'Memtable', waiting),
    s ? walCheck(s) : noStats('wal', 'WAL', waiting),
    s ? l0Check(s) : noStats('l0', 'L0 files', waiting),
    storageCheck(input.storage),
    persistenceCheck(input.storage),
  ];
  let worst = 0;
  for (const c of checks) worst = Math.max(worst, RANK[c.level]);
  const level: HealthLevel = worst === 2 ? 'unhealthy' : worst === 1 ? 'degraded' : 'healthy';
  const reasons = [
    ...checks.filter((c) => c.level === 'unhealthy'),
    ...checks.filter((c) => c.level === 'degraded'),
  ].map((c) => c.detail);
  return { level, reasons, checks };
}

export const LEVEL_TEXT: Record<HealthLevel, string> = { healthy: 'Healthy', degraded: 'Degraded', unhealthy: 'Unhealthy' };
