// The words of the engine's events as the log and the panels print them:
// runners, flush reasons, stall causes, errors, levels.
import { groupDigits } from '../app/format.js';
import type { CompactionReason, CompactionRunner, EventError, FlushReason, WriteStallCause } from 'stratadb';

const RUNNERS: Record<CompactionRunner, string> = {
  worker: 'in the compaction worker',
  instance: 'in a second wasm instance',
  here: "in the database's own instance",
  manifest: 'by a manifest edit alone (a trivial move)',
};

/** Where a compaction ran: "in the compaction worker". */
export function runnerText(runner: string): string {
  // A runner word the package's type does not list yet is still shown.
  return RUNNERS[runner as CompactionRunner] ?? `by runner '${runner}'`;
}

export const FLUSH_REASONS: Record<FlushReason, string> = {
  'memtable-full': 'the memtable was full',
  'wal-segments': 'the memtable reached its WAL segment limit',
  manual: 'asked for (FLUSH or COMPACT)',
  recovery: 'opening the database replayed the WAL',
};

/** A stall in a few words, as a badge or a cell shows it. */
export const STALL_SHORT: Record<WriteStallCause, string> = {
  'l0-slowdown': 'writes slowed',
  'l0-stop': 'writes stopped',
  'memtable-flushing': 'writes wait for a flush',
};

/** What a stall means. */
export const STALL_LONG: Record<WriteStallCause, string> = {
  'l0-slowdown': 'L0 reached its slowdown trigger: writes are delayed until a compaction makes room',
  'l0-stop': 'L0 reached its stop trigger: writes wait for a compaction',
  'memtable-flushing': 'the memtable is full and the previous one is still being flushed: writes wait for that flush',
};

/** Why a compaction job was picked: "score 1.25", "manual", or "seeks" (reads kept passing one of its files). */
export const reasonText = (reason: CompactionReason, score: number): string =>
  reason === 'score' ? `score ${score.toFixed(2)}` : reason;

export const errorText = (error: EventError): string => `${error.code}: ${error.message}`;

export const levelsText = (from: number, to: number): string => `L${from} → L${to}`;

/** "1 table", "4 tables", "2 entries" */
export const plural = (n: number, one: string, many = `${one}s`): string => `${groupDigits(n)} ${n === 1 ? one : many}`;
