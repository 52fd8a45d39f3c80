// stratadb for browsers, Web Workers and bundlers (Vite): the wasm file is
// fetched from beside this module.
import createStrataModule from './strata.js';
import { makeApi } from './api.js';

export * from './exports.js';

const wasmUrl = new URL('./strata.wasm', import.meta.url);

export const { open, destroy, list, createRuntime } = makeApi(() =>
  createStrataModule({ locateFile: () => wasmUrl.href }),
);

export {
  openInWorker,
  WorkerDatabase,
  WorkerIterator,
  WorkerSnapshot,
  type WorkerReadOptions,
  type WorkerScanOptions,
} from './worker-client.js';
export { WorkerCompactionRunner } from './compaction.js';
