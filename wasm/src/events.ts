// What a database reports as it works, for dashboards and logs: flushes,
// compactions (where they ran, step by step), write stalls, durability
// points and errors. Database.subscribe() (and WorkerDatabase.subscribe())
// deliver them; payloads are plain data, so they cross to a worker's client.
import type { StrataErrorCode } from './errors.js';
import type { IdbDurability } from './storage.js';

export interface FileInfo {
  path: string;
  bytes: number;
}

export type StrataEvent =
  | { type: 'flush'; phase: 'started' }
  | { type: 'flush'; phase: 'finished'; micros: number; l0Files: number }
  | {
      type: 'compaction';
      phase: 'started';
      job: number;
      /** Where it runs: 'worker', 'instance', or 'here' (the database's own instance). */
      runner: 'worker' | 'instance' | 'here';
      inputs: FileInfo[];
    }
  | {
      type: 'compaction';
      phase: 'progress';
      job: number;
      step: 'input-sent' | 'output-installed';
      done: number;
      total: number;
    }
  | {
      type: 'compaction';
      phase: 'finished';
      job: number;
      runner: 'worker' | 'instance' | 'here';
      outputs: FileInfo[];
      bytesWritten: number;
      micros: number;
    }
  /** A write waits for a compaction (L0 is full) / goes on again. */
  | { type: 'write-stall'; stalled: boolean }
  /** A commit reached IndexedDB: every write before it is durable. */
  | {
      type: 'durable';
      commit: number;
      filesStored: number;
      filesDeleted: number;
      bytes: number;
      micros: number;
      idbDurability: IdbDurability;
    }
  /** The handle turned read-only (see Database.readOnlyError). */
  | { type: 'error'; code: StrataErrorCode; message: string };

export type StrataEventListener = (event: StrataEvent) => void;

/** Listeners, each called in turn; one that throws does not stop the rest. */
export class EventHub {
  private readonly listeners = new Set<StrataEventListener>();

  get active(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: StrataEventListener): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe takes a function');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: StrataEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        queueMicrotask(() => {
          throw e; // reported as uncaught, without breaking the database
        });
      }
    }
  }
}
