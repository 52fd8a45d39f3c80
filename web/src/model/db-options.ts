// What the dashboard remembers about databases between visits (the engine
// stores no open options): the options each was created with, which one was
// open last, and what it last saw of each (its tables' count and size, when
// it was last opened) for the Databases list. Kept in localStorage under
// "stratadb-dashboard:*".
// Ranges are the engine's (LIMITS), never repeated here.
import { LIMITS } from 'stratadb';

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The options a new database gets from the Databases tab: small memtables, so flushes and compactions show soon. */
export interface CreateOptions {
  memtableBytes: number;
  durability: 'durable' | 'deferred';
  compression: boolean;
  bloomBitsPerKey: number;
}

export const DEFAULT_DATABASE = 'demo';
export const DEFAULT_OPTIONS: CreateOptions = {
  memtableBytes: 1024 * 1024,
  durability: 'durable',
  compression: true,
  bloomBitsPerKey: LIMITS.bloomBitsPerKey.default,
};
export const MEMTABLE_CHOICES = [256 * 1024, 1024 * 1024, 4 * 1024 * 1024, 16 * 1024 * 1024];

const PREFIX = 'stratadb-dashboard:';
const LAST = `${PREFIX}last`;
const optionsKey = (name: string) => `${PREFIX}options:${name}`;
const factsKey = (name: string) => `${PREFIX}facts:${name}`;

/** What was last seen of a database: from its stats while open, or a measurement. */
export interface DatabaseFacts {
  /** Table files and their bytes (what it stores, less its WAL). */
  tables?: number;
  tableBytes?: number;
  /** When those were read (Date.now()). */
  measuredAt?: number;
  /** When the dashboard last opened it. */
  lastOpened?: number;
}

/** Parses saved facts, keeping only well-formed fields. */
export function parseFacts(json: string | null): DatabaseFacts {
  let raw: unknown;
  try {
    raw = json === null ? null : JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  const out: DatabaseFacts = {};
  for (const field of ['tables', 'tableBytes', 'measuredAt', 'lastOpened'] as const) {
    const v = r[field];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[field] = v;
  }
  return out;
}

/** A database name as the package accepts it, or a one-line reason it is not. */
export function checkDatabaseName(name: string): string | undefined {
  if (name.length === 0) return 'a database needs a name';
  if (name.length > 200) return 'a database name is at most 200 characters';
  if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    return "a database name may not contain '/' or NUL, or be '.' or '..'";
  }
  // The package accepts these, but in a list they are invisible or look like another name.
  if (name.trim() !== name) return 'a database name may not start or end with a space';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a database name may not contain control characters (tabs, line breaks)';
  if (name.startsWith('__bench__')) return "names starting with __bench__ are the benchmark's scratch databases";
  return undefined;
}

/** Parses saved options, keeping only well-formed fields. */
export function parseOptions(json: string | null): CreateOptions {
  const out = { ...DEFAULT_OPTIONS };
  if (json === null) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as Record<string, unknown>;
  const inRange = (v: number, range: { min: number; max: number }) => v >= range.min && v <= range.max;
  if (typeof r.memtableBytes === 'number' && inRange(r.memtableBytes, LIMITS.memtableBytes)) {
    out.memtableBytes = Math.floor(r.memtableBytes);
  }
  if (r.durability === 'durable' || r.durability === 'deferred') out.durability = r.durability;
  if (typeof r.compression === 'boolean') out.compression = r.compression;
  if (typeof r.bloomBitsPerKey === 'number' && Number.isInteger(r.bloomBitsPerKey) && inRange(r.bloomBitsPerKey, LIMITS.bloomBitsPerKey)) {
    out.bloomBitsPerKey = r.bloomBitsPerKey;
  }
  return out;
}

export class SavedDatabases {
  constructor(private readonly store: KeyValueStore | undefined) {}

  options(name: string): CreateOptions {
    return parseOptions(this.read(optionsKey(name)));
  }

  remember(name: string, options: CreateOptions): void {
    this.write(optionsKey(name), JSON.stringify(options));
  }

  facts(name: string): DatabaseFacts {
    return parseFacts(this.read(factsKey(name)));
  }

  /** Merges `facts` into what is saved for `name`. */
  note(name: string, facts: DatabaseFacts): void {
    this.write(factsKey(name), JSON.stringify({ ...this.facts(name), ...facts }));
  }

  forget(name: string): void {
    try {
      this.store?.removeItem(optionsKey(name));
      this.store?.removeItem(factsKey(name));
      if (this.last() === name) this.store?.removeItem(LAST);
    } catch {
      // Storage may be disabled; the dashboard works without it.
    }
  }

  last(): string | undefined {
    const name = this.read(LAST);
    return name !== null && checkDatabaseName(name) === undefined ? name : undefined;
  }

  setLast(name: string): void {
    this.write(LAST, name);
  }

  private read(key: string): string | null {
    try {
      return this.store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string): void {
    try {
      this.store?.setItem(key, value);
    } catch {
      // Storage full or disabled: the options are still used this visit.
    }
  }
}
