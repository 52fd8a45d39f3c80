// The console's command history: the last MAX_HISTORY lines, oldest first,
// kept in storage (localStorage in the page) as a JSON array of strings.
// Up/Down walk it like a shell: the line being typed is kept as the draft
// and comes back after the newest entry. Storage keeps only the newest
// lines that fit in MAX_SAVED_CHARS (a pasted multi-megabyte PUT would
// otherwise overflow localStorage's few megabytes, and every later save
// would fail); longer lines are recalled in this page only.

/** What History needs of localStorage (which fits it as is). */
export interface StringStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const MAX_HISTORY = 200;
export const MAX_SAVED_CHARS = 256 * 1024;
export const HISTORY_STORAGE_KEY = 'stratadb.console.history';

export class History {
  private items: string[];
  /** Index of the entry shown; items.length while the draft is. */
  private cursor: number;
  private draft = '';

  constructor(
    private readonly storage: StringStorage | undefined,
    private readonly max = MAX_HISTORY,
    private readonly key = HISTORY_STORAGE_KEY,
  ) {
    this.items = this.load();
    this.cursor = this.items.length;
  }

  get entries(): readonly string[] {
    return this.items;
  }

  /** Records a line that was run (blank lines and repeats of the last are not), and ends any walk. */
  add(line: string): void {
    if (line.trim() !== '' && line !== this.items[this.items.length - 1]) {
      this.items.push(line);
      if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
      this.save();
    }
    this.restart();
  }

  /** Ends a walk: the next Up starts from the newest entry. */
  restart(): void {
    this.cursor = this.items.length;
    this.draft = '';
  }

  /** Up: the entry before the one shown; `current` is kept as the draft when leaving it. */
  previous(current: string): string | undefined {
    if (this.cursor === 0) return undefined;
    if (this.cursor === this.items.length) this.draft = current;
    return this.items[--this.cursor];
  }

  /** Down: the entry after the one shown, then the draft; undefined when already at the draft. */
  next(): string | undefined {
    if (this.cursor >= this.items.length) return undefined;
    this.cursor++;
    return this.cursor === this.items.length ? this.draft : this.items[this.cursor];
  }

  private load(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      if (!Array.isArray(parsed)) return [];
      return parsed.filter((x): x is string => typeof x === 'string').slice(-this.max);
    } catch {
      return []; // unreadable or unavailable storage: start afresh
    }
  }

  private save(): void {
    const saved: string[] = [];
    let chars = 0;
    for (let i = this.items.length - 1; i >= 0; i--) {
      const line = this.items[i]!;
      if (line.length > MAX_SAVED_CHARS) continue;
      if (chars + line.length > MAX_SAVED_CHARS) break;
      chars += line.length;
      saved.push(line);
    }
    try {
      this.storage?.setItem(this.key, JSON.stringify(saved.reverse()));
    } catch {
      // Storage full or disabled: the history still works for this page.
    }
  }
}
