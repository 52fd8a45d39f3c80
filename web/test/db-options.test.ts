import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, SavedDatabases, checkDatabaseName, parseFacts, parseOptions, type KeyValueStore } from '../src/model/db-options.js';

class MapStore implements KeyValueStore {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

describe('database names', () => {
  it('accepts what the package accepts and says why not otherwise', () => {
    expect(checkDatabaseName('orders 2026')).toBeUndefined();
    expect(checkDatabaseName('')).toMatch(/needs a name/);
    expect(checkDatabaseName('a/b')).toMatch(/may not contain/);
    expect(checkDatabaseName('..')).toMatch(/may not contain/);
    expect(checkDatabaseName('x'.repeat(201))).toMatch(/at most 200/);
    expect(checkDatabaseName('__bench__1')).toMatch(/benchmark/);
    expect(checkDatabaseName(' demo')).toMatch(/start or end with a space/);
    expect(checkDatabaseName('demo ')).toMatch(/start or end with a space/);
    expect(checkDatabaseName('a\tb')).toMatch(/control characters/);
  });
});

describe('saved options', () => {
  it('remembers options per database and the last one opened', () => {
    const saved = new SavedDatabases(new MapStore());
    const small = { ...DEFAULT_OPTIONS, memtableBytes: 256 * 1024, durability: 'deferred' as const };
    saved.remember('a', small);
    saved.setLast('a');
    expect(saved.options('a')).toEqual(small);
    expect(saved.options('b')).toEqual(DEFAULT_OPTIONS);
    expect(saved.last()).toBe('a');
    saved.forget('a');
    expect(saved.options('a')).toEqual(DEFAULT_OPTIONS);
    expect(saved.last()).toBeUndefined();
  });

  it('keeps only well-formed fields of what was stored', () => {
    expect(parseOptions('not json')).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions('null')).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(JSON.stringify({ memtableBytes: 1, durability: 'fast', compression: 'yes', bloomBitsPerKey: 99 }))).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions(JSON.stringify({ memtableBytes: 65536, compression: false, bloomBitsPerKey: 0 }))).toEqual({
      ...DEFAULT_OPTIONS,
      memtableBytes: 65536,
      compression: false,
      bloomBitsPerKey: 0,
    });
  });

  it('works without storage, or with storage that throws', () => {
    const none = new SavedDatabases(undefined);
    none.setLast('a');
    expect(none.last()).toBeUndefined();
    const throwing: KeyValueStore = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    const saved = new SavedDatabases(throwing);
    expect(() => saved.remember('a', DEFAULT_OPTIONS)).not.toThrow();
    expect(saved.options('a')).toEqual(DEFAULT_OPTIONS);
    expect(() => saved.forget('a')).not.toThrow();
  });

  it('ignores a stored last name the package would refuse', () => {
    const store = new MapStore();
    store.setItem('stratadb-dashboard:last', 'a/b');
    expect(new SavedDatabases(store).last()).toBeUndefined();
  });
});

describe('what was last seen of each database', () => {
  it('merges facts as they come and forgets them with the database', () => {
    const saved = new SavedDatabases(new MapStore());
    expect(saved.facts('a')).toEqual({});
    saved.note('a', { lastOpened: 1000 });
    saved.note('a', { tables: 12, tableBytes: 8_000_000, measuredAt: 2000 });
    expect(saved.facts('a')).toEqual({ lastOpened: 1000, tables: 12, tableBytes: 8_000_000, measuredAt: 2000 });
    saved.note('a', { tables: 14, measuredAt: 3000 });
    expect(saved.facts('a')).toMatchObject({ lastOpened: 1000, tables: 14, tableBytes: 8_000_000, measuredAt: 3000 });
    saved.forget('a');
    expect(saved.facts('a')).toEqual({});
  });

  it('keeps only well-formed fields of what storage holds', () => {
    expect(parseFacts('{"tables": 3, "tableBytes": -1, "lastOpened": "yesterday", "measuredAt": 5}')).toEqual({ tables: 3, measuredAt: 5 });
    expect(parseFacts('not json')).toEqual({});
    expect(parseFacts(null)).toEqual({});
  });
});

