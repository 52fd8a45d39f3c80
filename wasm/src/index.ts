// stratadb for browsers, Web Workers and bundlers (Vite): the wasm file is
// fetched from beside this module.
export * from './exports.js';
export { open, destroy, list, createRuntime } from './browser-api.js';

export {
  openInHostWorker,
  openInWorker,
  WorkerDatabase,
  WorkerIterator,
  WorkerSnapshot,
  type WorkerReadOptions,
  type WorkerScanOptions,
} from './worker-client.js';
export { WorkerCompactionRunner } from './compaction.js';
