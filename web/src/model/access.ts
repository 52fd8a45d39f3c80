// What this tab may do with the open database, in one place, so the top
// bar, Health, INFO and STATS say the same: the writer (it holds the write
// lock), a viewer (another tab or worker holds it: this one shows what is
// stored and refuses writes, which is normal, not a fault), or read-only
// (writes failed for good: a failed commit or an engine error).
import type { Stats } from 'stratadb';

export type AccessState = 'closed' | 'writer' | 'viewer' | 'read-only';

export interface AccessInput {
  open: boolean;
  /** session.role: a read-only handle is a viewer. */
  role: 'writer' | 'viewer' | undefined;
  /** db.readOnlyError?.message: why the package refuses writes. */
  readOnlyError?: string | undefined;
  stats?: Stats | undefined;
  /** A viewer found the write lock free. */
  writerGone?: boolean | undefined;
}

export interface Access {
  state: AccessState;
  /** One word for a badge. */
  label: string;
  /** A sentence or two. */
  detail: string;
  writable: boolean;
}

const sentence = (text: string): string => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

export function accessOf(input: AccessInput): Access {
  if (!input.open) return { state: 'closed', label: '', detail: 'No database is open.', writable: false };
  const engineReason = input.stats?.readOnly ? input.stats.readOnlyReason || 'the engine gave no reason' : undefined;
  const failed = input.readOnlyError ?? engineReason;
  if (failed !== undefined && input.role !== 'viewer') {
    return {
      state: 'read-only',
      label: 'read-only',
      detail: `The database is read-only: ${sentence(failed)} Reads still work; writes are refused.`,
      writable: false,
    };
  }
  if (input.role === 'viewer') {
    return {
      state: 'viewer',
      label: 'viewer',
      detail: input.writerGone
        ? 'The tab that wrote to this database went away: take over writing to write here.'
        : 'Another tab or worker writes to this database: this tab shows what is stored (refreshed every few seconds) and refuses writes.',
      writable: false,
    };
  }
  return { state: 'writer', label: 'writer', detail: 'This tab writes to the database.', writable: true };
}
