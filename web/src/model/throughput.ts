// Is the workload keeping up, and if not, which stage holds it back? A run
// is behind when operations are owed (the in-flight bound held them) beyond
// a quarter second's worth, or some were skipped in the last few seconds:
// not from the achieved rate, which swings with every commit as durable
// writes complete in groups. The limiting stage is named from what was
// measured, in this order:
//
//   write stall   the engine held writes (L0 at its stop trigger, or the
//                 memtable full while the previous one flushes)
//   page thread   the generator's own timer ran late: the page was too busy
//                 to send operations on time
//   commit rate   the in-flight bound is reached with writes waiting for
//                 commits: each IndexedDB commit takes too long for the rate
//   rate cap      the in-flight bound is reached without commits to wait
//                 for: the generator's own cap holds the load
//   database      operations are owed but none of the above: the database
//                 worker answers too slowly
import { formatCount, formatMillis } from '../app/format.js';

export type Stage = 'idle' | 'starting' | 'keeping-up' | 'write-stall' | 'page-thread' | 'commit-rate' | 'rate-cap' | 'database';

export interface CommitFlow {
  /** Commits per second over the recent window. */
  perSec: number;
  /** Mean time of those commits, µs; null without commits. */
  meanMicros: number | null;
  /** Writers waiting for a commit now. */
  waiting: number;
}

export interface FlowInput {
  running: boolean;
  elapsedMs: number;
  targetRate: number;
  owed: number;
  skippedRecent: number;
  inFlight: number;
  maxInFlight: number;
  /** The generator's tick lag, ms (the worst of the recent window). */
  tickLagMs: number;
  /** A write stall is on, or was in the recent window. */
  stalled: boolean;
  /** The writes wait for commits (durable); deferred writes do not. */
  durable: boolean;
  commits: CommitFlow | undefined;
}

export interface FlowVerdict {
  behind: boolean;
  stage: Stage;
  /** One line for the user. */
  text: string;
}

/** The first this long of a run is its start: rates are still filling their windows. */
export const WARM_UP_MS = 2500;
/** A tick this late means the page's thread is the bottleneck. */
export const PAGE_LAG_MS = 200;
/** In flight at this share of the bound counts as at the bound. */
const AT_BOUND = 0.9;

export function flowVerdict(input: FlowInput): FlowVerdict {
  if (!input.running) return { behind: false, stage: 'idle', text: '' };
  const owedLimit = Math.max(1, input.targetRate * 0.25);
  const behind = input.elapsedMs > WARM_UP_MS && (input.owed > owedLimit || input.skippedRecent > 0);
  if (!behind) {
    return input.elapsedMs > WARM_UP_MS
      ? { behind: false, stage: 'keeping-up', text: 'keeping up: nothing owed or skipped' }
      : { behind: false, stage: 'starting', text: 'starting' };
  }
  const lost = input.skippedRecent > 0 ? `${formatCount(input.skippedRecent)} skipped in the last 5 s` : `${formatCount(input.owed)} owed`;
  const atBound = input.inFlight >= input.maxInFlight * AT_BOUND;
  if (input.stalled) {
    return { behind, stage: 'write-stall', text: `behind (${lost}): a write stall — the engine holds writes until a flush or compaction makes room` };
  }
  if (input.tickLagMs >= PAGE_LAG_MS) {
    return {
      behind,
      stage: 'page-thread',
      text: `behind (${lost}): the page's thread — the generator's timer ran up to ${formatMillis(input.tickLagMs)} late`,
    };
  }
  const c = input.commits;
  if (atBound && input.durable && c && (c.waiting > 0 || c.perSec > 0)) {
    const each = c.meanMicros === null ? '' : ` of ${formatMillis(c.meanMicros / 1000)} each`;
    return {
      behind,
      stage: 'commit-rate',
      text: `behind (${lost}): the commit rate — ${c.perSec.toFixed(1)} commits/s${each}, ${formatCount(c.waiting)} writes waiting; ${formatCount(input.inFlight)} in flight is the bound`,
    };
  }
  if (atBound) {
    return {
      behind,
      stage: 'rate-cap',
      text: `behind (${lost}): the in-flight cap — ${formatCount(input.maxInFlight)} operations in flight is the most the generator sends`,
    };
  }
  return { behind, stage: 'database', text: `behind (${lost}): the database worker answers too slowly` };
}
