// stratadb for Node 20+: the wasm bytes are read from beside this module
// (Emscripten 3.1.6's glue cannot fetch a file path in Node). Node has no
// IndexedDB: pass one to createRuntime() (fake-indexeddb, say), or open
// with storage: 'memory'.
import { readFile } from 'node:fs/promises';
import createStrataModule from './strata.js';
import { makeApi } from './api.js';

export * from './exports.js';

const wasmUrl = new URL('./strata.wasm', import.meta.url);

export const { open, destroy, list, createRuntime } = makeApi(async () =>
  createStrataModule({ wasmBinary: await readFile(wasmUrl) }),
);
