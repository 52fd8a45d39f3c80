import { describe, expect, it } from 'vitest';
import type { Stats } from 'stratadb';
import { assessHealth, type CheckId, type HealthInput, type StorageStatus } from '../src/model/health.js';
import { stats } from './stats-fixture.js';

const MiB = 1 << 20;
const goodStorage: StorageStatus = { available: true, usage: 10 * MiB, quota: 1000 * MiB, persisted: true };

const quickCommits = { perSec: 8, meanMicros: 4000, waiting: 0 };

function input(overrides: Partial<Stats> = {}, rest: Partial<HealthInput> = {}): HealthInput {
  return { open: true, name: 'demo', role: 'writer', stats: stats(overrides), commits: quickCommits, storage: goodStorage, ...rest };
}

function withL0(files: number): Partial<Stats> {
  const s = stats();
  s.levels[0]!.files = files;
  return { levels: s.levels };
}

const check = (h: ReturnType<typeof assessHealth>, id: CheckId) => h.checks.find((c) => c.id === id)!;

describe('assessHealth', () => {
  it('is healthy with no reasons when every check passes', () => {
    const h = assessHealth(input());
    expect(h.level).toBe('healthy');
    expect(h.reasons).toEqual([]);
    expect(h.checks.map((c) => c.id)).toEqual(['database', 'access', 'writes', 'commits', 'memtable', 'wal', 'l0', 'storage', 'persistence']);
    expect(h.checks.every((c) => c.level === 'healthy')).toBe(true);
  });

  it('is unhealthy when no database is open, and judges nothing it cannot see', () => {
    const h = assessHealth({ open: false, storage: goodStorage });
    expect(h.level).toBe('unhealthy');
    expect(h.reasons).toEqual(['No database is open: open or create one in the Databases tab.']);
    for (const id of ['access', 'writes', 'commits', 'memtable', 'wal', 'l0'] as const) expect(check(h, id).level).toBe('unknown');
    expect(check(h, 'storage').level).toBe('healthy'); // the origin's storage is still measured
  });

  it('waits for stats without alarming', () => {
    const h = assessHealth({ open: true, name: 'demo', storage: goodStorage });
    expect(h.level).toBe('healthy');
    expect(check(h, 'database').detail).toContain('waiting for its first stats');
    expect(check(h, 'l0').level).toBe('unknown');
  });

  describe('L0', () => {
    it('is healthy below the slowdown trigger, noting a due compaction', () => {
      // Files against the compaction trigger, as the level's score counts them.
      expect(check(assessHealth(input(withL0(2))), 'l0')).toMatchObject({ level: 'healthy', value: '2 / 4 files' });
      const due = check(assessHealth(input(withL0(5))), 'l0');
      expect(due.level).toBe('healthy');
      expect(due.detail).toBe('L0 has 5 files; a compaction into L1 is due (it starts at 4).');
    });

    it('is degraded at the slowdown trigger', () => {
      const h = assessHealth(input(withL0(9)));
      expect(h.level).toBe('degraded');
      expect(h.reasons).toEqual(['L0 has 9 files; writes slow down at 8.']);
      expect(check(assessHealth(input(withL0(8))), 'l0').level).toBe('degraded');
    });

    it('is unhealthy at the stop trigger', () => {
      const h = assessHealth(input(withL0(12)));
      expect(h.level).toBe('unhealthy');
      expect(h.reasons[0]).toBe('L0 has 12 files; writes stop at 12 until a compaction finishes.');
    });

    it('draws its gauge against the stop trigger with the three thresholds marked', () => {
      const g = check(assessHealth(input(withL0(9))), 'l0').gauge!;
      expect(g).toMatchObject({ value: 9, max: 12 });
      expect(g.marks.map((m) => [m.at, m.kind])).toEqual([
        [4, 'info'],
        [8, 'warn'],
        [12, 'bad'],
      ]);
    });
  });

  it('is unhealthy while writes are stopped', () => {
    const h = assessHealth(input({ writeStopped: true }));
    expect(h.level).toBe('unhealthy');
    expect(check(h, 'writes').detail).toMatch(/waiting for a flush or compaction/);
  });

  it('counts past stalls without judging them', () => {
    const c = check(assessHealth(input({ slowdownWrites: 12, stoppedWrites: 1, stallMicros: 2_500_000 })), 'writes');
    expect(c.level).toBe('healthy');
    expect(c.detail).toBe('Writes are flowing; since the database was opened 12 writes were slowed and 1 write waited, 2.5 s in all.');
  });

  describe('access', () => {
    it('is unhealthy with the engine reason', () => {
      const h = assessHealth(input({ readOnly: true, readOnlyReason: 'IO error: disk gone' }));
      expect(h.level).toBe('unhealthy');
      expect(h.reasons).toEqual(['The database is read-only: IO error: disk gone. Reads still work; writes are refused.']);
    });

    it('prefers the package error (a failed commit) and works before stats arrive', () => {
      const msg = 'storing files: QuotaExceededError.';
      expect(assessHealth(input({}, { readOnlyError: msg })).reasons[0]).toBe(
        'The database is read-only: storing files: QuotaExceededError. Reads still work; writes are refused.',
      );
      const early = assessHealth({ open: true, readOnlyError: msg, storage: goodStorage });
      expect(early.level).toBe('unhealthy');
      expect(check(early, 'access').level).toBe('unhealthy');
    });

    it('a viewer (another tab writes) is worth knowing, not a fault, and says so', () => {
      const h = assessHealth(input({}, { role: 'viewer' }));
      expect(h.level).toBe('healthy');
      expect(check(h, 'access')).toMatchObject({ level: 'info', value: 'viewer' });
      expect(check(h, 'access').detail).toMatch(/Another tab or worker writes to this database/);
      expect(check(h, 'commits').level).toBe('info'); // the writer commits, not the viewer
      const gone = check(assessHealth(input({}, { role: 'viewer', writerGone: true })), 'access');
      expect(gone.value).toBe('viewer · writer gone');
      expect(gone.detail).toMatch(/went away: take over writing/);
      expect(check(assessHealth(input()), 'access')).toMatchObject({ level: 'healthy', value: 'writer' });
    });

    it('a viewer of a database whose engine failed is still a viewer, not read-only', () => {
      expect(check(assessHealth(input({ readOnly: true }, { role: 'viewer' })), 'access').value).toBe('viewer');
    });

    it('still says why when the engine gave no reason', () => {
      expect(assessHealth(input({ readOnly: true })).reasons[0]).toContain('the engine gave no reason.');
    });
  });

  describe('commits', () => {
    it('is degraded when commits are slow enough to hold every durable write', () => {
      const slow = assessHealth(input({}, { commits: { perSec: 3.5, meanMicros: 280_000, waiting: 4000 } }));
      expect(slow.level).toBe('degraded');
      expect(check(slow, 'commits').value).toBe('280 ms · 3.5/s');
      expect(slow.reasons[0]).toBe(
        'Commits to IndexedDB take 280 ms on average (3.5 a second), so every durable write waits at least that long; 4,000 writes wait for one now.',
      );
      expect(check(assessHealth(input({}, { commits: { perSec: 20, meanMicros: 12_000, waiting: 300 } })), 'commits').level).toBe('healthy');
    });

    it('says so when nothing was committed lately, and waits for its first window', () => {
      expect(check(assessHealth(input({}, { commits: { perSec: 0, meanMicros: null, waiting: 0 } })), 'commits')).toMatchObject({ level: 'healthy', value: 'idle · 0 waiting' });
      expect(check(assessHealth(input({}, { commits: undefined })), 'commits').level).toBe('unknown');
    });
  });

  describe('memtable', () => {
    it('is healthy while an immutable memtable is flushed', () => {
      const c = check(assessHealth(input({ memtableBytes: MiB, immutableMemtable: true, immutableMemtableBytes: 4 * MiB })), 'memtable');
      expect(c.level).toBe('healthy');
      expect(c.value).toBe('1.00 MiB / 4.00 MiB + 4.00 MiB flushing');
      expect(c.gauge).toMatchObject({ value: MiB, max: 4 * MiB });
    });

    it('is degraded when the memtable is full and the previous one is still flushing', () => {
      const h = assessHealth(input({ memtableBytes: 4 * MiB, immutableMemtable: true, immutableMemtableBytes: 4 * MiB }));
      expect(h.level).toBe('degraded');
      expect(h.reasons[0]).toBe('The memtable is full (4.00 MiB of 4.00 MiB) and the previous one is still being flushed: writes wait for that flush.');
    });

    it('a full memtable alone is normal: the next write switches', () => {
      expect(check(assessHealth(input({ memtableBytes: 4 * MiB })), 'memtable').level).toBe('healthy');
    });
  });

  describe('WAL', () => {
    it('is healthy up to the limit', () => {
      const c = check(assessHealth(input({ walLiveSegments: 256 })), 'wal');
      expect(c).toMatchObject({ level: 'healthy', value: '256 / 256 segments' });
    });

    it('is degraded past the limit with no flush running', () => {
      const h = assessHealth(input({ walLiveSegments: 300 }));
      expect(h.level).toBe('degraded');
      expect(h.reasons[0]).toMatch(/^The WAL has 300 live segments; a memtable is flushed at 256, /);
    });

    it('allows twice the limit while a memtable is flushed', () => {
      expect(check(assessHealth(input({ walLiveSegments: 400, immutableMemtable: true })), 'wal').level).toBe('healthy');
      expect(check(assessHealth(input({ walLiveSegments: 513, immutableMemtable: true })), 'wal').level).toBe('degraded');
    });

    it('has no gauge without a limit', () => {
      const c = check(assessHealth(input({ walSegmentLimit: 0, walLiveSegments: 999 })), 'wal');
      expect(c.level).toBe('healthy');
      expect(c.gauge).toBeUndefined();
    });
  });

  describe('storage', () => {
    const at = (usage: number, quota = 100 * MiB) => assessHealth(input({}, { storage: { available: true, usage, quota, persisted: true } }));

    it('is healthy up to 80% of the quota', () => {
      expect(check(at(80 * MiB), 'storage').level).toBe('healthy');
    });

    it('never shows 0 B: a browser asked before the first commit lands answers 0, which is not a measurement', () => {
      expect(check(at(0), 'storage')).toMatchObject({ level: 'unknown', value: 'measuring…' });
      expect(check(at(1), 'storage').value).toBe('1 B / 100 MiB');
    });

    it('is degraded above 80%', () => {
      const h = at(81 * MiB);
      expect(h.level).toBe('degraded');
      expect(h.reasons[0]).toBe('This site uses 81.0 MiB of its 100 MiB storage quota (81%); above 80%, writes may soon fail.');
    });

    it('is unhealthy above 95%', () => {
      const h = at(96 * MiB);
      expect(h.level).toBe('unhealthy');
      expect(h.reasons[0]).toMatch(/QuotaExceeded/);
      expect(check(h, 'storage').gauge!.marks.map((m) => m.at)).toEqual([80 * MiB, 95 * MiB]);
    });

    it('is unknown, not an error, where the browser cannot tell', () => {
      const h = assessHealth(input({}, { storage: { available: false } }));
      expect(h.level).toBe('healthy');
      expect(check(h, 'storage')).toMatchObject({ level: 'unknown', value: 'not available' });
      expect(check(h, 'persistence')).toMatchObject({ level: 'unknown', value: 'not available' });
      expect(check(assessHealth(input({}, { storage: { available: true, usage: 5, quota: 0 } })), 'storage').level).toBe('unknown');
    });
  });

  it('reports storage that is not persistent as information, not a fault', () => {
    const h = assessHealth(input({}, { storage: { ...goodStorage, persisted: false } }));
    expect(h.level).toBe('healthy');
    expect(h.reasons).toEqual([]);
    expect(check(h, 'persistence')).toMatchObject({ level: 'info', value: 'best effort' });
    expect(check(h, 'persistence').detail).toMatch(/may clear it/);
  });

  it('lists unhealthy reasons before degraded ones', () => {
    const h = assessHealth(input({ ...withL0(9), readOnly: true, readOnlyReason: 'Corruption: bad block' }));
    expect(h.level).toBe('unhealthy');
    expect(h.reasons).toHaveLength(2);
    expect(h.reasons[0]).toMatch(/^The database is read-only/);
    expect(h.reasons[1]).toBe('L0 has 9 files; writes slow down at 8.');
  });
});
