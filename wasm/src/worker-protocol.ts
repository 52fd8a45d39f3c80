// Messages between a WorkerDatabase (worker-client.ts) and the database
// worker (db-worker.ts). One request, one response, matched by id; events
// carry what the worker reports on its own. Errors travel as their code and
// message and become StrataErrors again on the caller's side.
import type { StrataErrorCode } from './errors.js';

export type Method =
  | 'open'
  | 'put'
  | 'get'
  | 'delete'
  | 'batch'
  | 'scan'
  | 'iteratorOpen'
  | 'iteratorNext'
  | 'iteratorSeek'
  | 'iteratorClose'
  | 'snapshot'
  | 'snapshotRelease'
  | 'sync'
  | 'flush'
  | 'compact'
  | 'stats'
  | 'metrics'
  | 'refresh'
  | 'close';

export interface Request {
  id: number;
  method: Method;
  args: unknown[];
}

export interface WireError {
  code: StrataErrorCode;
  message: string;
}

export type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** The handle turned read-only (DatabaseOptions.onError). */
export interface ErrorEvent {
  event: 'error';
  error: WireError;
}

export type WorkerMessage = Response | ErrorEvent;
