// Memtable: the active memtable against its limit, the immutable one while
// it is flushed, the WAL's live segments (against the segment limit, where
// one is set) and what it wrote since the database was opened, time since
// the last durability point, and flushes. Stats (2 Hz) give the numbers;
// `flush` and `durable` events make the flushing mark and the "ago" text
// prompt and tell the last flush (its reason, its table). Everything is
// drawn by the painter; the "ago" text on each of its paints.
import type { FlushFinished, Stats, StrataEvent } from 'stratadb';
import { h, panel, setText } from '../app/dom.js';
import { formatAgo, formatBytes, formatCount, formatMicros, formatPercent, groupDigits } from '../app/format.js';
import { type Session, showWhileOpen } from '../app/session.js';
import { FLUSH_REASONS, errorText } from '../model/event-text.js';
import { meter } from './meter.js';
import './memtable.css';

/** A flush inside one worker task is over before anyone sees it: keep the mark up this long. */
const FLUSH_MARK_MS = 700;

export function mountMemtable(session: Session): HTMLElement {
  // Not announced: under a workload it comes and goes every second.
  const flushing = h('span', { class: 'mt-flushing' }, 'flushing…');
  const { section, body } = panel('panel-memtable', 'Memtable', flushing);

  const placeholder = h('p', { class: 'muted placeholder' }, 'No database open.');
  const line = (label: string) => {
    const value = h('span', { class: 'num mt-value' });
    return { value, element: h('div', { class: 'mt-line' }, h('span', { class: 'mt-label' }, label), value) };
  };

  const active = line('Active');
  const activeMeter = meter('Memtable bytes against its limit');
  const activeSub = h('div', { class: 'mt-sub num muted' });

  const immutable = line('Immutable');
  const immutableMeter = meter('Immutable memtable bytes');
  immutableMeter.element.classList.add('mt-imm-gauge');
  // Always laid out (dimmed, "none", when there is none), so nothing below moves.
  const immutableBlock = h('div', { class: 'mt-block mt-imm' }, immutable.element, immutableMeter.element);

  const wal = line('WAL');
  const walMeter = meter('WAL live segments against the limit');
  walMeter.element.classList.add('mt-wal-gauge');
  const walSub = h('div', { class: 'mt-sub num muted' });

  const durableAgo = h('dd', { class: 'mt-ago' });
  const lastCommit = h('dd');
  const flushes = h('dd');
  const sequence = h('dd');
  const recovered = h('dd');
  const facts = h(
    'dl',
    { class: 'kv mt-facts' },
    h('dt', { title: 'When the last commit reached IndexedDB: every write before it survives a crash.' }, 'Durable'),
    durableAgo,
    h('dt', {}, 'Last commit'),
    lastCommit,
    h('dt', {}, 'Flushes'),
    flushes,
    h('dt', { title: 'The sequence number of the last write' }, 'Sequence'),
    sequence,
    h('dt', { title: 'What opening the database replayed from the WAL' }, 'Recovered'),
    recovered,
  );

  const content = h(
    'div',
    { class: 'mt-content' },
    h('div', { class: 'mt-block' }, active.element, activeMeter.element, activeSub),
    immutableBlock,
    h('div', { class: 'mt-block', id: 'memtable-wal' }, wal.element, walMeter.element, walSub),
    facts,
  );
  body.append(placeholder, content);

  let stats: Stats | undefined;
  let durableAt = 0;
  let flushStarted = false;
  let flushMarkUntil = 0;
  let lastFlush: FlushFinished | undefined;
  let lastDurability = '';
  let lastCommitEvent: Extract<StrataEvent, { type: 'durable' }> | undefined;

  const reset = () => {
    stats = undefined;
    durableAt = 0;
    flushStarted = false;
    flushMarkUntil = 0;
    lastFlush = undefined;
    lastDurability = '';
    lastCommitEvent = undefined;
    setText(lastCommit, '–');
    lastCommit.title = '';
  };

  /** The parts that change with time alone. */
  const tick = () => {
    if (!session.db) return;
    setText(durableAgo, durableAt > 0 ? `${formatAgo(Date.now() - durableAt)}${lastDurability ? ` · ${lastDurability}` : ''}` : 'not yet');
    const on = flushStarted || Date.now() < flushMarkUntil || stats?.immutableMemtable === true;
    flushing.classList.toggle('on', on);
  };

  const render = () => {
    const e = lastCommitEvent;
    if (e) {
      setText(lastCommit, `#${e.commit} · ${formatBytes(e.bytes)} in ${formatMicros(e.micros)}`);
      lastCommit.title = `commit ${e.commit}: ${e.filesStored} files stored, ${e.filesDeleted} deleted, ${formatBytes(e.bytes)}, ${formatMicros(e.micros)}, IndexedDB durability '${e.idbDurability}'`;
    }
    const s = stats;
    if (!s) return tick();
    setText(active.value, `${formatBytes(s.memtableBytes)} / ${formatBytes(s.memtableLimit)}`);
    activeMeter.set(s.memtableLimit > 0 ? s.memtableBytes / s.memtableLimit : 0);
    setText(
      activeSub,
      `${formatCount(s.memtableEntries)} entries · ${s.memtableLimit > 0 ? formatPercent(s.memtableBytes / s.memtableLimit) : '–'} full`,
    );

    immutableBlock.classList.toggle('present', s.immutableMemtable);
    setText(immutable.value, s.immutableMemtable ? `${formatBytes(s.immutableMemtableBytes)} · flushing to L0` : 'none');
    immutableMeter.set(s.immutableMemtable && s.memtableLimit > 0 ? s.immutableMemtableBytes / s.memtableLimit : 0);

    // Live segments are what the WAL holds now; its bytes, records and syncs
    // count everything written since the database was opened.
    const limit = s.walSegmentLimit;
    const live = `${formatCount(s.walLiveSegments)} live segment${s.walLiveSegments === 1 ? '' : 's'}`;
    setText(wal.value, limit > 0 ? `${live} / ${formatCount(limit)}` : live);
    const walFraction = limit > 0 ? s.walLiveSegments / limit : 0;
    walMeter.set(walFraction, walFraction >= 1 ? 'bad' : walFraction >= 0.75 ? 'warn' : 'ok');
    // Without a limit there is nothing to measure against: the gauge keeps its place, unseen.
    walMeter.element.classList.toggle('none', limit <= 0);
    setText(walSub, `since open: ${formatBytes(s.walBytes)} written · ${formatCount(s.walRecords)} records · ${formatCount(s.walSyncs)} syncs`);
    walSub.title = limit > 0 ? `A memtable is flushed when its writes span ${limit} WAL segments.` : 'No WAL segment limit: the memtable is flushed when it is full.';

    durableAt = Math.max(durableAt, s.commits.lastDurableAt);
    setText(flushes, `${formatCount(s.flushes)} · ${formatBytes(s.flushBytesWritten)}${lastFlush ? ` · last ${lastFlushText(lastFlush)}` : ''}`);
    flushes.title = `${formatCount(s.flushes)} flushes wrote ${formatBytes(s.flushBytesWritten)} of tables to L0${lastFlush ? `\n${lastFlushTitle(lastFlush)}` : ''}`;
    setText(sequence, groupDigits(s.lastSequence));
    const dropped = s.recoveryDroppedRecords > 0 ? ` · dropped ${formatCount(s.recoveryDroppedRecords)} (${formatBytes(s.recoveryDroppedBytes)})` : '';
    setText(recovered, `${formatCount(s.recoveredRecords)} records from ${s.recoveredWalSegments} segment${s.recoveredWalSegments === 1 ? '' : 's'}${dropped}`);
    recovered.classList.toggle('warn', s.recoveryDroppedRecords > 0);
    recovered.title = dropped ? 'Records after a torn or corrupt WAL tail were dropped at open' : '';
    tick();
  };

  const onEvent = (e: StrataEvent, at: number) => {
    if (e.type === 'durable') {
      durableAt = Math.max(durableAt, at);
      lastDurability = e.idbDurability;
      lastCommitEvent = e;
      invalidate();
    } else if (e.type === 'flush') {
      flushStarted = e.phase === 'started';
      if (e.phase === 'finished') {
        flushMarkUntil = at + FLUSH_MARK_MS;
        lastFlush = e;
      }
      invalidate();
    }
  };

  const invalidate = session.painter.add(render);
  reset();
  showWhileOpen(session, content, placeholder);
  session.listen({
    switched() {
      reset();
      flushing.classList.remove('on');
    },
    stats(sample) {
      stats = sample.stats;
      invalidate();
    },
    event: onEvent,
  });
  session.painter.every(tick, () => session.db !== undefined);
  return section;
}

/** "4.20 ms, memtable-full" */
function lastFlushText(e: FlushFinished): string {
  return e.error ? 'failed' : `${formatMicros(e.micros)}, ${e.reason}`;
}

function lastFlushTitle(e: FlushFinished): string {
  const why = `last: flush #${e.job}, ${FLUSH_REASONS[e.reason]}; ${formatBytes(e.memtableBytes)}, ${formatCount(e.memtableEntries)} entries`;
  if (e.error) return `${why}; failed: ${errorText(e.error)}`;
  return `${why}; ${e.output ? `wrote table #${e.output.number} (${formatBytes(e.output.size)})` : 'wrote nothing'} in ${formatMicros(e.micros)}`;
}
