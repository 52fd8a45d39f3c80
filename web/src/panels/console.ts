// The Console tab: type a command, Enter runs it (one at a time, in order),
// Up/Down walk the history (kept in localStorage), Ctrl+L or CLEAR clears.
// Parsing and running are console/*.ts; this module is the DOM around them.
import './console.css';
import { h, replace, setText } from '../app/dom.js';
import type { Session } from '../app/session.js';
import { type CommandResult, type LineKind, clipLines, echoText, formatElapsed, isWrite, runLine } from '../console/execute.js';
import { History, type StringStorage } from '../console/history.js';
import { commandHint } from '../console/parse.js';

// The output keeps this many lines; older ones scroll away for good.
const MAX_LINES = 1000;
// Within this many pixels of the bottom, new output keeps the view at the bottom.
const STICK_PX = 40;

const DEFAULT_HINT = 'Enter runs · ↑↓ history · Ctrl+L clears · HELP lists the commands';

type Kind = LineKind | 'input';

function lineElement(kind: Kind, text: string): HTMLElement {
  return h('div', { class: `console-line ${kind}` }, text);
}

/** localStorage, or nothing where the page may not use it. */
function pageStorage(): StringStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The output area: each command is an entry (its echo, then its result
 * lines); lines past MAX_LINES are dropped from the top.
 */
class Output {
  readonly element = h('div', {
    id: 'console-output',
    class: 'console-output',
    role: 'log',
    'aria-live': 'polite',
    'aria-label': 'Console output',
    tabindex: 0,
  });
  private lines = 0;

  /** Starts an entry for a submitted line; its result comes later, in finish(). */
  begin(prompt: string, text: string): HTMLElement {
    // The placeholder is not a .console-line: a line counts once it is an answer.
    const pending = h('div', { class: 'console-pending', 'aria-hidden': 'true' }, '…');
    // A 70 KB command is echoed by its start and its length, not in full.
    const echo = lineElement('input', `${prompt} ${echoText(text)}`);
    if (echo.textContent !== `${prompt} ${text}`) echo.title = `${text.length.toLocaleString('en-US')} characters`;
    const entry = h('div', { class: 'console-entry' }, echo, pending);
    this.grow(1, () => this.element.append(entry));
    return entry;
  }

  finish(entry: HTMLElement, result: CommandResult): void {
    if (!entry.isConnected) return; // cleared, or scrolled away, while it ran
    const elements = clipLines(result.lines, MAX_LINES).map((l) => lineElement(l.kind, l.text));
    const last = elements[elements.length - 1];
    if (last && result.elapsedMs !== undefined) last.append(h('span', { class: 'console-time' }, ` ${formatElapsed(result.elapsedMs)}`));
    this.grow(elements.length, () => {
      entry.querySelector('.console-pending')?.remove();
      entry.append(...elements);
    });
  }

  note(kind: LineKind, text: string): void {
    this.grow(1, () => this.element.append(h('div', { class: 'console-entry' }, lineElement(kind, text))));
  }

  clear(): void {
    replace(this.element);
    this.lines = 0;
  }

  /** Adds `count` lines by `change`, keeps the bound, and follows the end if the view was there. */
  private grow(count: number, change: () => void): void {
    const stick = this.atBottom();
    change();
    this.lines += count;
    this.trim();
    if (stick) this.scrollToEnd();
  }

  private trim(): void {
    while (this.lines > MAX_LINES) {
      const oldest = this.element.firstElementChild;
      const first = oldest?.firstElementChild;
      if (!oldest || !first) break;
      first.remove();
      if (!oldest.firstElementChild) oldest.remove();
      if (first.classList.contains('console-line')) this.lines--;
    }
  }

  private atBottom(): boolean {
    const el = this.element;
    return el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
  }

  private scrollToEnd(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }
}

export function mountConsole(session: Session): HTMLElement {
  const output = new Output();
  const history = new History(pageStorage());
  const prompt = h('label', { class: 'console-prompt', for: 'console-input' });
  const input = h('input', {
    id: 'console-input',
    class: 'console-input',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: 'HELP',
  });
  const hint = h('span', { class: 'console-hint-text' });
  const status = h('span', { class: 'console-status num' });

  const promptText = () => `${session.name ?? '(no database)'}>`;
  const showHint = () => setText(hint, commandHint(input.value) ?? DEFAULT_HINT);

  // Commands run one at a time, in the order typed.
  let queue = Promise.resolve();
  let waiting = 0;
  const showStatus = () => setText(status, waiting === 0 ? '' : waiting === 1 ? 'running…' : `running… ${waiting - 1} queued`);

  const run = async (text: string, entry: HTMLElement) => {
    let result: CommandResult;
    try {
      result = await runLine(text, session.db);
    } catch (e) {
      result = { lines: [{ kind: 'error', text: `(error) ${String(e)}` }], elapsedMs: undefined, command: undefined };
    }
    if (result.command?.name === 'CLEAR') output.clear();
    else output.finish(entry, result);
    // The overview panels show a write's effect now, not at the next poll.
    if (result.command && isWrite(result.command) && session.db) void session.poll();
  };

  const submit = () => {
    const text = input.value;
    if (text.trim() === '') return;
    history.add(text);
    input.value = '';
    showHint();
    const entry = output.begin(promptText(), text);
    waiting++;
    showStatus();
    queue = queue.then(() => run(text, entry)).finally(() => {
      waiting--;
      showStatus();
    });
  };

  const recall = (line: string | undefined) => {
    if (line === undefined) return;
    input.value = line;
    input.setSelectionRange(line.length, line.length);
    showHint();
  };

  input.addEventListener('keydown', (e) => {
    if (e.isComposing) return;
    if (e.key === 'Enter') submit();
    else if (e.key === 'ArrowUp') recall(history.previous(input.value));
    else if (e.key === 'ArrowDown') recall(history.next());
    else if (e.key === 'Escape') {
      history.restart();
      recall('');
    }
    else if (e.key.toLowerCase() === 'l' && e.ctrlKey && !e.altKey && !e.metaKey) output.clear();
    else return;
    e.preventDefault();
  });
  input.addEventListener('input', showHint);
  // A click in the output (not a text selection) goes back to typing.
  output.element.addEventListener('click', () => {
    if (!window.getSelection()?.toString()) input.focus();
  });

  session.listen({
    switched: (name) => {
      setText(prompt, promptText());
      output.note('info', name === undefined ? 'no database is open' : `using database ${name}`);
    },
  });

  setText(prompt, promptText());
  showHint();
  output.note('info', 'StrataDB console. HELP lists the commands; HELP SCAN shows one.');

  return h(
    'div',
    { class: 'console' },
    output.element,
    h('div', { class: 'console-input-row' }, prompt, input),
    h('div', { class: 'console-hint muted' }, hint, status),
  );
}
