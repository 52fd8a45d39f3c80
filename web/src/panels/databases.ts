// The Databases tab: the stored databases with what was last seen of each
// (tables and their size, when it was last opened); create, open, switch,
// export to a file (from a read-only handle of its own: the open database
// stays open), import from one, destroy (after typing the name again).
import './databases.css';
import { destroy, list, openInWorker } from 'stratadb';
import { download, h, replace, setText } from '../app/dom.js';
import { formatAgo, formatBytes, formatCount } from '../app/format.js';
import type { SavedHistory } from '../app/saved-history.js';
import type { Db, Session } from '../app/session.js';
import {
  type CreateOptions,
  DEFAULT_DATABASE,
  DEFAULT_OPTIONS,
  MEMTABLE_CHOICES,
  SavedDatabases,
  checkDatabaseName,
} from '../model/db-options.js';
import { batches, entryLine, headerLine, parseExport, trailerLine } from '../model/export-format.js';

const saved = new SavedDatabases(globalThis.localStorage);

/** Opens the database of the last visit, or the demo database. */
export async function openInitialDatabase(session: Session): Promise<void> {
  const name = saved.last() ?? DEFAULT_DATABASE;
  try {
    await session.open(name, saved.options(name));
    saved.setLast(name);
  } catch (e) {
    session.note('error', `could not open ${name}: ${String(e)}`);
  }
}

const isBench = (name: string) => name.startsWith('__bench__');

/** Opens `name` read-only in a worker of its own (no write lock: it can be open elsewhere), runs `use`, closes it. */
async function withReadOnly<T>(name: string, use: (db: Db) => Promise<T>): Promise<T> {
  const db = await openInWorker(name, { readOnly: true, keyEncoding: 'binary', valueEncoding: 'binary', createIfMissing: false });
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

const tableFacts = (levels: readonly { files: number; bytes: number }[]) => ({
  tables: levels.reduce((sum, l) => sum + l.files, 0),
  tableBytes: levels.reduce((sum, l) => sum + l.bytes, 0),
});

export function mountDatabases(session: Session, history: SavedHistory): HTMLElement {
  const status = h('div', { class: 'db-status', id: 'databases-status', role: 'status' });
  const report = (text: string, kind: 'ok' | 'bad' | 'muted' = 'muted') => {
    status.className = `db-status ${kind}`;
    setText(status, text);
  };
  const rows = h('tbody');
  let busy = false;

  /** Runs one action at a time, reporting its failure in the status line. */
  const run = async (what: string, action: () => Promise<string | void>) => {
    if (busy) return report('another action is still running', 'bad');
    busy = true;
    report(`${what}…`);
    try {
      const done = await action();
      report(done ?? `${what}: done`, 'ok');
    } catch (e) {
      report(`${what} failed: ${e instanceof Error ? e.message : String(e)}`, 'bad');
      session.note('error', `${what} failed: ${String(e)}`);
    } finally {
      busy = false;
      void refresh();
    }
  };

  const openDatabase = (name: string, options: CreateOptions) =>
    run(`opening ${name}`, async () => {
      await session.open(name, options);
      saved.setLast(name);
      return session.db?.readOnly ? `${name} is open read-only: another tab or worker has it open for writing` : `${name} is open`;
    });

  /** Every entry of `db` in export lines. */
  const exportFrom = async (name: string, db: Db) => {
    const parts = [headerLine(name, Date.now())];
    let entries = 0;
    let bytes = 0;
    for await (const { key, value } of db.iterator()) {
      parts.push(entryLine(key, value));
      entries++;
      bytes += key.length + value.length;
      if (entries % 10_000 === 0) report(`exporting ${name}: ${entries.toLocaleString('en-US')} entries`);
    }
    parts.push(trailerLine(entries));
    download(`${name}.stratadb.jsonl`, new Blob(parts), 'application/x-ndjson');
    return `exported ${entries.toLocaleString('en-US')} entries (${formatBytes(bytes)}) of ${name}`;
  };

  // The database this tab writes exports from its own handle (a consistent
  // view); any other from a read-only handle of its own, so nothing is
  // switched and a running workload goes on. (A viewer's own handle is
  // reopened every few seconds, which would end the export's iterator.)
  const exportDatabase = (name: string) =>
    run(`exporting ${name}`, () =>
      session.name === name && session.db && session.role === 'writer' ? exportFrom(name, session.db) : withReadOnly(name, (db) => exportFrom(name, db)),
    );

  const measureDatabase = (name: string) =>
    run(`measuring ${name}`, async () => {
      const facts = await withReadOnly(name, async (db) => tableFacts((await db.stats()).levels));
      saved.note(name, { ...facts, measuredAt: Date.now() });
      return `${name}: ${formatCount(facts.tables)} tables, ${formatBytes(facts.tableBytes)}`;
    });

  const destroyDatabase = (name: string) =>
    run(`destroying ${name}`, async () => {
      if (session.name === name) await session.close();
      await destroy(name);
      saved.forget(name);
      await history.clear(name);
      return `${name} is destroyed`;
    });

  /** The destroy confirmation: the user types the name again. */
  const confirmDestroy = (name: string, cell: HTMLElement) => {
    const typed = h('input', { type: 'text', placeholder: name, 'aria-label': `Type ${name} to confirm`, class: 'confirm-input' });
    const yes = h('button', { class: 'btn danger', type: 'button', disabled: true }, 'Destroy forever');
    const no = h('button', { class: 'btn', type: 'button' }, 'Cancel');
    typed.addEventListener('input', () => (yes.disabled = typed.value !== name));
    typed.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') void refresh();
      else if (e.key === 'Enter' && !yes.disabled) yes.click();
    });
    yes.addEventListener('click', () => void destroyDatabase(name));
    no.addEventListener('click', () => void refresh());
    replace(cell, h('span', { class: 'bad' }, 'Type the name to destroy: '), typed, yes, no);
    typed.focus();
  };

  const row = (name: string) => {
    const current = session.name === name;
    const actions = h('td', { class: 'db-actions' });
    const button = (label: string, onclick: () => void, cls = 'btn') =>
      h('button', { class: cls, type: 'button', onclick, 'data-action': label.toLowerCase() }, label);
    const facts = saved.facts(name);
    replace(
      actions,
      current ? h('span', { class: 'muted' }, session.role === 'viewer' ? 'open (viewer)' : 'open') : button('Open', () => void openDatabase(name, saved.options(name))),
      button('Export', () => void exportDatabase(name)),
      !current && facts.measuredAt === undefined ? button('Measure', () => void measureDatabase(name)) : null,
      button('Destroy', () => confirmDestroy(name, actions), 'btn danger'),
    );
    const options = saved.options(name);
    const measured = facts.measuredAt !== undefined;
    return h(
      'tr',
      { 'data-database': name, class: current ? 'current' : '' },
      h('td', { class: 'db-name', title: name }, name),
      h(
        'td',
        { class: 'num db-size', title: measured ? `read ${formatAgo(Date.now() - facts.measuredAt!)}` : 'not measured yet: open it, or Measure' },
        measured ? formatBytes(facts.tableBytes ?? 0) : '–',
      ),
      h('td', { class: 'num db-tables' }, measured ? formatCount(facts.tables ?? 0) : '–'),
      h('td', { class: 'num db-opened' }, facts.lastOpened !== undefined ? formatAgo(Date.now() - facts.lastOpened) : 'never'),
      h('td', { class: 'num muted db-options' }, `${formatBytes(options.memtableBytes)}\n${options.durability}`),
      actions,
    );
  };

  const refresh = async () => {
    let names: string[];
    try {
      names = (await list()).filter((n) => !isBench(n));
    } catch (e) {
      report(`could not list databases: ${String(e)}`, 'bad');
      return;
    }
    if (session.name && !names.includes(session.name)) names.push(session.name);
    names.sort();
    replace(rows, ...(names.length ? names.map(row) : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No databases yet.'))]));
  };

  // Create
  const name = h('input', { type: 'text', id: 'db-new-name', placeholder: 'name', 'aria-label': 'New database name', maxlength: 200 });
  const memtable = h(
    'select',
    { id: 'db-new-memtable', 'aria-label': 'Memtable size' },
    ...MEMTABLE_CHOICES.map((b) => h('option', { value: b, selected: b === DEFAULT_OPTIONS.memtableBytes }, `memtable ${formatBytes(b)}`)),
  );
  const durability = h(
    'select',
    { id: 'db-new-durability', 'aria-label': 'Durability' },
    h('option', { value: 'durable' }, 'durable writes'),
    h('option', { value: 'deferred' }, 'deferred writes (≤100 ms)'),
  );
  const compression = h('input', { type: 'checkbox', checked: true, id: 'db-new-compression' });
  const create = h('button', { class: 'btn primary', type: 'button', id: 'db-create' }, 'Create and open');
  const createForm = () => {
    const problem = checkDatabaseName(name.value);
    if (problem) return report(problem, 'bad');
    const options: CreateOptions = {
      ...DEFAULT_OPTIONS,
      memtableBytes: Number(memtable.value),
      durability: durability.value === 'deferred' ? 'deferred' : 'durable',
      compression: compression.checked,
    };
    saved.remember(name.value, options);
    void openDatabase(name.value, options);
    name.value = '';
  };
  create.addEventListener('click', createForm);
  name.addEventListener('keydown', (e) => e.key === 'Enter' && createForm());

  // Import
  const file = h('input', { type: 'file', id: 'db-import-file', accept: '.jsonl,.ndjson,application/x-ndjson', 'aria-label': 'Export file' });
  const target = h('input', { type: 'text', id: 'db-import-name', placeholder: 'into database (default: the file’s)', 'aria-label': 'Import into database' });
  const importButton = h('button', { class: 'btn', type: 'button', id: 'db-import' }, 'Import');
  importButton.addEventListener('click', () => {
    const chosen = file.files?.[0];
    if (!chosen) return report('choose an export file first', 'bad');
    void run(`importing ${chosen.name}`, async () => {
      const parsed = parseExport(await chosen.text());
      const into = target.value || parsed.database;
      const problem = checkDatabaseName(into);
      if (problem) throw new Error(`${problem} (give one in the "into database" field)`);
      if (session.name !== into) {
        await session.open(into, saved.options(into));
        saved.setLast(into);
      }
      const db = session.db!;
      let written = 0;
      for (const batch of batches(parsed.entries)) {
        await db.batch(batch.map(({ key, value }) => ({ type: 'put' as const, key, value })));
        written += batch.length;
        report(`importing into ${into}: ${written.toLocaleString('en-US')} of ${parsed.entries.length.toLocaleString('en-US')}`);
      }
      file.value = '';
      return `imported ${written.toLocaleString('en-US')} entries into ${into}`;
    });
  });

  // What the open database holds, saved for the list when it changes.
  let lastFacts = '';
  session.listen({
    switched: (opened) => {
      if (opened) saved.note(opened, { lastOpened: Date.now() });
      lastFacts = '';
      void refresh();
    },
    stats: ({ at, stats }) => {
      const name = session.name;
      const facts = tableFacts(stats.levels);
      const key = `${name}|${facts.tables}|${facts.tableBytes}`;
      if (!name || key === lastFacts) return;
      lastFacts = key;
      saved.note(name, { ...facts, measuredAt: at });
    },
  });
  void refresh();
  const root = h(
    'div',
    { class: 'databases' },
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'table', id: 'databases-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Database'),
            h('th', { class: 'num', title: 'Bytes of its table files, as last seen (the WAL not counted)' }, 'Stored'),
            h('th', { class: 'num' }, 'Tables'),
            h('th', { class: 'num' }, 'Last opened'),
            h('th', {}, 'Options'),
            h('th', {}, ''),
          ),
        ),
        rows,
      ),
    ),
    h('h3', {}, 'New database'),
    h('div', { class: 'row' }, name, memtable, durability, h('label', {}, compression, ' zlib from L2'), create),
    h('h3', {}, 'Import an export file'),
    h('div', { class: 'row' }, file, target, importButton),
    h('p', { class: 'muted' }, 'Export writes every key and value of a database as JSON lines (base64) ending with a count; import checks the whole file before writing, then writes it in atomic batches, overwriting keys that exist.'),
    status,
  );
  root.addEventListener('tool-shown', () => void refresh());
  return root;
}
