import { describe, expect, it } from 'vitest';
import { PAGE_LAG_MS, WARM_UP_MS, flowVerdict, type FlowInput } from '../src/model/throughput.js';

const running: FlowInput = {
  running: true,
  elapsedMs: 20_000,
  targetRate: 5000,
  owed: 0,
  skippedRecent: 0,
  inFlight: 900,
  maxInFlight: 50_000,
  tickLagMs: 10,
  stalled: false,
  durable: true,
  commits: { perSec: 10, meanMicros: 20_000, waiting: 900 },
};

describe('flowVerdict', () => {
  it('keeps up while nothing is owed or skipped, however the achieved rate swings', () => {
    expect(flowVerdict(running)).toMatchObject({ behind: false, stage: 'keeping-up' });
    // Durable writes finish in commit-sized groups: many in flight is not behind.
    expect(flowVerdict({ ...running, inFlight: 30_000 }).behind).toBe(false);
  });

  it('says nothing in the first seconds, and nothing when stopped', () => {
    expect(flowVerdict({ ...running, elapsedMs: WARM_UP_MS - 1, owed: 99_999 })).toMatchObject({ behind: false, stage: 'starting' });
    expect(flowVerdict({ ...running, running: false, skippedRecent: 5 })).toMatchObject({ behind: false, stage: 'idle', text: '' });
  });

  it('is behind from the backlog or skipped operations', () => {
    expect(flowVerdict({ ...running, owed: 1250 }).behind).toBe(false); // a quarter second's worth
    expect(flowVerdict({ ...running, owed: 1251 }).behind).toBe(true);
    expect(flowVerdict({ ...running, skippedRecent: 1 }).behind).toBe(true);
  });

  it('names a write stall first', () => {
    const v = flowVerdict({ ...running, owed: 5000, stalled: true, tickLagMs: 900, inFlight: 50_000 });
    expect(v.stage).toBe('write-stall');
    expect(v.text).toMatch(/^behind \(5,000 owed\): a write stall/);
  });

  it('names the page thread when the generator ran late', () => {
    const v = flowVerdict({ ...running, skippedRecent: 800, tickLagMs: PAGE_LAG_MS + 150 });
    expect(v.stage).toBe('page-thread');
    expect(v.text).toBe("behind (800 skipped in the last 5 s): the page's thread — the generator's timer ran up to 350 ms late");
  });

  it('names the commit rate when the in-flight bound is reached by writes waiting for commits', () => {
    const v = flowVerdict({ ...running, owed: 5000, inFlight: 49_000, commits: { perSec: 2.5, meanMicros: 400_000, waiting: 48_000 } });
    expect(v.stage).toBe('commit-rate');
    expect(v.text).toBe('behind (5,000 owed): the commit rate — 2.5 commits/s of 400 ms each, 48.0k writes waiting; 49.0k in flight is the bound');
  });

  it('names the in-flight cap when nothing waits for a commit', () => {
    const v = flowVerdict({ ...running, durable: false, owed: 5000, inFlight: 50_000, commits: { perSec: 10, meanMicros: 1000, waiting: 0 } });
    expect(v.stage).toBe('rate-cap');
  });

  it('blames the database worker when operations are owed for no other reason', () => {
    expect(flowVerdict({ ...running, owed: 5000, inFlight: 1000 }).stage).toBe('database');
  });
});
