import { LIMITS } from './limits.generated.js';

/**
 * Every failure the package reports is a StrataError with a code.
 *
 * - InvalidArgument: bad input (wrong type, empty or oversized key, bad
 *   option, unknown snapshot), never a crash.
 * - Closed: the handle (or its iterator or snapshot) was closed.
 * - NotFound: a missing database where one must exist. Never thrown by
 *   `get`, which answers undefined.
 * - Corruption: stored data failed its checksum or format check.
 * - IOError: the file system or IndexedDB failed.
 * - QuotaExceeded: IndexedDB refused the commit for lack of space.
 * - Busy: the database is open elsewhere, or a limit on open cursors or
 *   snapshots was reached.
 * - ReadOnly: the engine stopped writes after a background error.
 */
export type StrataErrorCode =
  | 'InvalidArgument'
  | 'Closed'
  | 'NotFound'
  | 'Corruption'
  | 'IOError'
  | 'QuotaExceeded'
  | 'Busy'
  | 'ReadOnly';

export class StrataError extends Error {
  readonly code: StrataErrorCode;

  constructor(code: StrataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataError';
    this.code = code;
  }
}

// Engine status codes (engine/include/strata/status.h), by number, as the
// module names them; 0 (OK) is never an error.
const ENGINE_CODES: readonly StrataErrorCode[] = LIMITS.statusCodes.map((name) =>
  name === 'OK' ? 'IOError' : name,
);

/** The StrataError for a non-zero engine status code and its message. */
export function engineError(code: number, message: string): StrataError {
  return new StrataError(ENGINE_CODES[code] ?? 'IOError', message);
}

export function invalidArgument(message: string): StrataError {
  return new StrataError('InvalidArgument', message);
}

/** A StrataError for a failed IndexedDB request or transaction. */
export function storageError(what: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const name = (error as { name?: unknown } | null)?.name;
  const message = (error as { message?: unknown } | null)?.message;
  const detail = typeof message === 'string' && message ? message : String(error);
  const code = name === 'QuotaExceededError' ? 'QuotaExceeded' : 'IOError';
  return new StrataError(code, `${what}: ${detail}`, { cause: error });
}
