import { describe, expect, it } from 'vitest';
import { HISTORY_STORAGE_KEY, History, MAX_SAVED_CHARS, type StringStorage } from '../src/console/history.js';

class MemoryStorage implements StringStorage {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, value);
  }
}

/** Presses Up `n` times from `draft`, collecting what each press shows. */
function up(history: History, n: number, draft = ''): (string | undefined)[] {
  return Array.from({ length: n }, () => history.previous(draft));
}

describe('History', () => {
  it('records lines, skipping blanks and repeats of the last one', () => {
    const history = new History(undefined);
    for (const line of ['PUT a 1', 'PUT a 1', '   ', '', 'GET a', 'PUT a 1']) history.add(line);
    expect(history.entries).toEqual(['PUT a 1', 'GET a', 'PUT a 1']);
  });

  it('keeps only the newest `max` lines', () => {
    const history = new History(undefined, 3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) history.add(line);
    expect(history.entries).toEqual(['c', 'd', 'e']);
  });

  it('Up walks back to the oldest and stops there', () => {
    const history = new History(undefined);
    for (const line of ['one', 'two', 'three']) history.add(line);
    expect(up(history, 4)).toEqual(['three', 'two', 'one', undefined]);
  });

  it('Down walks forward and ends at the draft that was being typed', () => {
    const history = new History(undefined);
    for (const line of ['one', 'two']) history.add(line);
    expect(history.previous('half-typed')).toBe('two');
    expect(history.previous('two')).toBe('one');
    expect(history.next()).toBe('two');
    expect(history.next()).toBe('half-typed');
    expect(history.next()).toBeUndefined();
  });

  it('Down with nothing recalled does nothing', () => {
    const history = new History(undefined);
    history.add('one');
    expect(history.next()).toBeUndefined();
  });

  it('an empty history has nothing to recall', () => {
    const history = new History(undefined);
    expect(history.previous('x')).toBeUndefined();
    expect(history.next()).toBeUndefined();
  });

  it('running a line, or restart(), starts the next walk from the newest', () => {
    const history = new History(undefined);
    for (const line of ['one', 'two', 'three']) history.add(line);
    up(history, 2);
    history.add('one'); // rerun an old line
    expect(history.entries).toEqual(['one', 'two', 'three', 'one']);
    expect(history.previous('')).toBe('one');
    history.restart();
    expect(up(history, 2)).toEqual(['one', 'three']);
  });

  it('saves to storage and loads from it', () => {
    const storage = new MemoryStorage();
    const first = new History(storage);
    first.add('PUT a 1');
    first.add('GET a');
    expect(JSON.parse(storage.data.get(HISTORY_STORAGE_KEY)!)).toEqual(['PUT a 1', 'GET a']);
    const second = new History(storage);
    expect(second.entries).toEqual(['PUT a 1', 'GET a']);
    expect(second.previous('')).toBe('GET a');
  });

  it('saves only the newest lines that fit, and recalls a huge one in this page only', () => {
    const storage = new MemoryStorage();
    const history = new History(storage);
    const big = `PUT k ${'v'.repeat(MAX_SAVED_CHARS)}`;
    const half = `PUT h ${'v'.repeat(MAX_SAVED_CHARS / 2)}`;
    for (const line of ['GET a', half, big, half.replace('h', 'i'), 'GET b']) history.add(line);
    expect(history.previous('')).toBe('GET b');
    expect(history.previous('')).toBe(half.replace('h', 'i'));
    expect(history.previous('')).toBe(big);
    // Stored: the newest lines within the budget; the huge line is skipped, and the older half no longer fits.
    expect(new History(storage).entries).toEqual([half.replace('h', 'i'), 'GET b']);
  });

  it.each([
    ['not JSON', '{oops'],
    ['not an array', '{"a":1}'],
    ['null', 'null'],
  ])('starts empty when storage holds %s', (_, stored) => {
    const storage = new MemoryStorage();
    storage.setItem(HISTORY_STORAGE_KEY, stored);
    expect(new History(storage).entries).toEqual([]);
  });

  it('drops entries that are not strings and keeps the newest `max`', () => {
    const storage = new MemoryStorage();
    storage.setItem(HISTORY_STORAGE_KEY, JSON.stringify(['a', 1, 'b', null, 'c', 'd']));
    expect(new History(storage, 3).entries).toEqual(['b', 'c', 'd']);
  });

  it('works on when storage fails', () => {
    const broken: StringStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const history = new History(broken);
    history.add('GET a');
    expect(history.previous('')).toBe('GET a');
  });
});
