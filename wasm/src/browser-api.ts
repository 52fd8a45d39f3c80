// The package's functions for browsers, workers and bundlers, apart from
// index.ts so that the database workers can use them without importing
// worker-client.ts (bundlers refuse workers that start each other).
import createStrataModule from './strata.js';
import { makeApi } from './api.js';

const wasmUrl = new URL('./strata.wasm', import.meta.url);

export const { open, destroy, list, createRuntime } = makeApi(() =>
  createStrataModule({ locateFile: () => wasmUrl.href }),
);
