// StrataDB errors as the Level ecosystem expects them: an Error with a
// LEVEL_* code (abstract-level's README, "Errors"), the StrataError as its
// cause.
import { StrataError } from '../errors.js';

export class StrataLevelError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataLevelError';
    this.code = code;
  }
}

/** The LEVEL_* code for a StrataError. */
export function levelCode(error: StrataError): string {
  switch (error.code) {
    case 'InvalidArgument':
      // The package names what it refused first: "value is ...", "key ...".
      if (/^(batch\[\d+\]\.)?value\b/.test(error.message)) return 'LEVEL_INVALID_VALUE';
      if (/^(batch\[\d+\]\.key|keys\[\d+\]|key|seek target|gt|gte|lt|lte)\b/.test(error.message)) return 'LEVEL_INVALID_KEY';
      return 'LEVEL_INVALID_ARGUMENT'; // say, a batch over the size limit
    case 'Closed':
      return 'LEVEL_DATABASE_NOT_OPEN';
    case 'NotFound':
      return 'LEVEL_NOT_FOUND';
    case 'Corruption':
      return 'LEVEL_CORRUPTION';
    case 'Busy':
      return 'LEVEL_LOCKED';
    case 'ReadOnly':
      return 'LEVEL_READONLY';
    case 'IOError':
    case 'QuotaExceeded':
      return 'LEVEL_IO_ERROR';
  }
}

/** e as a StrataLevelError if it is a StrataError; anything else as it is. */
export function toLevelError(e: unknown): unknown {
  if (!(e instanceof StrataError)) return e;
  return new StrataLevelError(levelCode(e), e.message, { cause: e });
}

/** Runs call, answering a StrataError it throws or rejects with as a StrataLevelError. */
export async function mapErrors<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toLevelError(e);
  }
}
