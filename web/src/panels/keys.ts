// The Keys tab: page through keys in order from any start key, view a value
// as text or hex, edit or delete it. Keyboard: Tab reaches the first row,
// Up/Down move between rows, Enter opens one in the editor.
import './keys.css';
import { StrataError } from 'stratadb';
import { displayBytes, fromHex, printableText, toHex, utf8 } from '../app/bytes-text.js';
import { h, replace, setText } from '../app/dom.js';
import { formatBytes } from '../app/format.js';
import type { Session } from '../app/session.js';

const PAGE = 50;

type Mode = 'text' | 'hex';

/** Bytes typed in a text or hex field, or a one-line reason they are not. */
function readBytes(text: string, mode: Mode): Uint8Array | string {
  if (mode === 'text') return utf8(text);
  return fromHex(text) ?? 'hex must be pairs of digits 0-9, a-f';
}

const errorText = (e: unknown) => (e instanceof StrataError ? `${e.code}: ${e.message}` : String(e));

export function mountKeys(session: Session): HTMLElement {
  const start = h('input', { type: 'text', id: 'keys-start', placeholder: 'start key (empty: the first)', 'aria-label': 'Start key' });
  const startMode = h('select', { 'aria-label': 'Start key as' }, h('option', { value: 'text' }, 'text'), h('option', { value: 'hex' }, 'hex'));
  const go = h('button', { class: 'btn primary', type: 'button', id: 'keys-go' }, 'Go');
  const prev = h('button', { class: 'btn', type: 'button', id: 'keys-prev', disabled: true }, '← Prev');
  const next = h('button', { class: 'btn', type: 'button', id: 'keys-next', disabled: true }, 'Next →');
  const info = h('span', { class: 'muted num', id: 'keys-info' });
  const rows = h('tbody');
  const editor = h('div', { class: 'value-editor', id: 'value-panel' });

  // The first key of each page before this one, for Prev; the first page's is undefined.
  let starts: (Uint8Array | undefined)[] = [];
  let pageStart: Uint8Array | undefined;
  let lastKey: Uint8Array | undefined;
  /** Counts loads, so an older scan that answers late (or for the database before a switch) is dropped. */
  let loads = 0;

  const load = async (from: Uint8Array | undefined, exclusive = false) => {
    const db = session.db;
    const ticket = ++loads;
    if (!db) {
      next.disabled = prev.disabled = true;
      setText(info, '');
      replace(rows, h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No database is open.')));
      return;
    }
    try {
      const range = from === undefined ? {} : exclusive ? { gt: from } : { gte: from };
      // One more than a page tells whether there is a next page.
      const entries = await db.scan({ ...range, limit: PAGE + 1 });
      if (ticket !== loads) return;
      const shown = entries.slice(0, PAGE);
      pageStart = shown[0]?.key ?? from;
      lastKey = shown[shown.length - 1]?.key;
      next.disabled = entries.length <= PAGE;
      prev.disabled = starts.length === 0;
      setText(info, shown.length ? `${shown.length} keys${entries.length > PAGE ? ', more after' : ''}` : 'no keys here');
      replace(
        rows,
        ...(shown.length
          ? shown.map(({ key, value }, i) => {
              const tr = h(
                'tr',
                { class: 'key-row', tabindex: i === 0 ? 0 : -1, 'data-key': toHex(key), 'aria-label': `${displayBytes(key, 48)}, ${formatBytes(value.length)}` },
                h('td', { class: 'mono' }, displayBytes(key, 48)),
                h('td', { class: 'mono muted' }, displayBytes(value, 40)),
                h('td', { class: 'num' }, formatBytes(value.length)),
              );
              tr.addEventListener('click', () => void edit(key));
              return tr;
            })
          : [h('tr', {}, h('td', { colspan: 3, class: 'muted' }, 'No keys from here on.'))]),
      );
    } catch (e) {
      if (ticket !== loads) return;
      replace(rows, h('tr', {}, h('td', { colspan: 3, class: 'error-line' }, errorText(e))));
    }
  };

  // One tab stop for the table (a roving tabindex): arrows move, Enter opens.
  rows.addEventListener('keydown', (e) => {
    const row = e.target instanceof HTMLElement ? e.target.closest<HTMLTableRowElement>('tr.key-row') : null;
    if (!row) return;
    let to: Element | null = null;
    if (e.key === 'ArrowDown') to = row.nextElementSibling;
    else if (e.key === 'ArrowUp') to = row.previousElementSibling;
    else if (e.key === 'Home') to = rows.firstElementChild;
    else if (e.key === 'End') to = rows.lastElementChild;
    else if (e.key === 'Enter' || e.key === ' ') row.click();
    else return;
    e.preventDefault();
    if (to instanceof HTMLTableRowElement) {
      row.tabIndex = -1;
      to.tabIndex = 0;
      to.focus();
    }
  });

  const fromStart = () => {
    const text = start.value;
    if (text === '') {
      starts = [];
      return void load(undefined);
    }
    const key = readBytes(text, startMode.value as Mode);
    if (typeof key === 'string') return setText(info, key);
    starts = [];
    void load(key);
  };

  const edit = async (key: Uint8Array) => {
    const db = session.db;
    if (!db) return;
    let value: Uint8Array | undefined;
    try {
      value = await db.get(key);
    } catch (e) {
      replace(editor, h('div', { class: 'error-line' }, errorText(e)));
      return;
    }
    if (value === undefined) {
      replace(editor, h('div', { class: 'muted' }, `${displayBytes(key)} is gone (deleted since the page was read).`));
      return;
    }
    const asText = printableText(value);
    let mode: Mode = asText !== undefined ? 'text' : 'hex';
    const area = h('textarea', { id: 'value-editor', rows: 6, spellcheck: false, 'aria-label': 'Value' });
    area.value = mode === 'text' ? asText! : toHex(value);
    const modeSelect = h(
      'select',
      { id: 'value-mode', 'aria-label': 'Show value as' },
      h('option', { value: 'text', selected: mode === 'text' }, 'text'),
      h('option', { value: 'hex', selected: mode === 'hex' }, 'hex'),
    );
    const note = h('span', { class: 'muted', id: 'value-status', role: 'status' });
    // The stored value's size: the header follows every save.
    const header = (size: number) => `${formatBytes(size)} · hex ${toHex(key).slice(0, 32)}`;
    const size = h('span', { class: 'muted num', id: 'value-size' }, header(value.length));
    modeSelect.addEventListener('change', () => {
      const current = readBytes(area.value, mode);
      const wanted = modeSelect.value as Mode;
      if (typeof current === 'string') {
        modeSelect.value = mode;
        return setText(note, current);
      }
      if (wanted === 'text' && printableText(current) === undefined) {
        setText(note, 'this value is not printable UTF-8 text; showing it as text would change it');
        modeSelect.value = mode;
        return;
      }
      mode = wanted;
      area.value = mode === 'text' ? new TextDecoder().decode(current) : toHex(current);
    });
    const save = h('button', { class: 'btn primary', type: 'button', id: 'value-save' }, 'Save');
    save.addEventListener('click', async () => {
      const bytes = readBytes(area.value, mode);
      if (typeof bytes === 'string') return setText(note, bytes);
      if (session.db !== db) return setText(note, 'the database was closed');
      try {
        await db.put(key, bytes);
        setText(note, `saved ${formatBytes(bytes.length)}`);
        setText(size, header(bytes.length));
        void load(pageStart);
      } catch (e) {
        setText(note, errorText(e));
      }
    });
    const remove = h('button', { class: 'btn danger', type: 'button', id: 'value-delete' }, 'Delete');
    // The first click arms it; leaving it disarms it again.
    remove.addEventListener('blur', () => {
      delete remove.dataset.armed;
      setText(remove, 'Delete');
    });
    remove.addEventListener('click', async () => {
      if (remove.dataset.armed !== 'yes') {
        remove.dataset.armed = 'yes';
        setText(remove, 'Really delete?');
        return;
      }
      if (session.db !== db) return setText(note, 'the database was closed');
      try {
        await db.delete(key);
        replace(editor, h('div', { class: 'muted' }, `deleted ${displayBytes(key)}`));
        void load(pageStart);
      } catch (e) {
        setText(note, errorText(e));
      }
    });
    replace(
      editor,
      h('div', { class: 'row' }, h('strong', { class: 'mono' }, displayBytes(key, 64)), size),
      area,
      h('div', { class: 'row' }, modeSelect, save, remove, note),
    );
  };

  go.addEventListener('click', fromStart);
  start.addEventListener('keydown', (e) => e.key === 'Enter' && fromStart());
  next.addEventListener('click', () => {
    if (!lastKey) return;
    starts.push(pageStart);
    void load(lastKey, true);
  });
  prev.addEventListener('click', () => {
    if (starts.length === 0) return;
    void load(starts.pop());
  });
  const refresh = h('button', { class: 'btn', type: 'button', id: 'keys-refresh' }, 'Refresh');
  refresh.addEventListener('click', () => void load(pageStart));

  session.listen({
    switched: () => {
      starts = [];
      replace(editor);
      void load(undefined);
    },
  });
  const root = h(
    'div',
    { class: 'keys' },
    h('div', { class: 'row' }, start, startMode, go, refresh),
    h('div', { class: 'row' }, prev, next, info),
    h('div', { class: 'keys-table-wrap' }, h('table', { class: 'table', id: 'keys-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', { class: 'num' }, 'Size'))), rows)),
    editor,
  );
  root.addEventListener('tool-shown', () => void load(pageStart));
  return root;
}
