// Messages between a WorkerDatabase (worker-client.ts) and the database
// worker (db-worker.ts). One request, one response, matched by id; events
// carry what the worker reports on its own. Errors travel as their code and
// message and become StrataErrors again on the caller's side.
import type { StrataErrorCode } from './errors.js';
import type { StrataEvent } from './events.js';

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
  | 'events'
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

/**
 * An event of the worker's database. 'error' events always come (they
 * drive onError); the others once the client asked for them ('events').
 */
export interface EventMessage {
  event: StrataEvent;
}

export type WorkerMessage = Response | EventMessage;
