import { describe, expect, it } from 'vitest';
import { accessOf } from '../src/model/access.js';
import { stats } from './stats-fixture.js';

describe('accessOf', () => {
  it('is the writer while this tab holds the lock and writes work', () => {
    expect(accessOf({ open: true, role: 'writer', stats: stats() })).toMatchObject({ state: 'writer', label: 'writer', writable: true });
  });

  it('is a viewer, not read-only, while another tab writes', () => {
    const viewer = accessOf({ open: true, role: 'viewer', stats: stats() });
    expect(viewer).toMatchObject({ state: 'viewer', label: 'viewer', writable: false });
    expect(viewer.detail).toMatch(/Another tab or worker writes/);
    expect(accessOf({ open: true, role: 'viewer', writerGone: true }).detail).toMatch(/went away: take over writing/);
  });

  it('is read-only with the reason when writes failed for good', () => {
    const failed = accessOf({ open: true, role: 'writer', readOnlyError: 'storing files: QuotaExceededError' });
    expect(failed).toMatchObject({ state: 'read-only', label: 'read-only', writable: false });
    expect(failed.detail).toBe('The database is read-only: storing files: QuotaExceededError. Reads still work; writes are refused.');
    const engine = accessOf({ open: true, role: 'writer', stats: stats({ readOnly: true, readOnlyReason: '' }) });
    expect(engine.detail).toContain('the engine gave no reason.');
  });

  it('says nothing while no database is open', () => {
    expect(accessOf({ open: false, role: undefined })).toMatchObject({ state: 'closed', label: '', writable: false });
  });
});
