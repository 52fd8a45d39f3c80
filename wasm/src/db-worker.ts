// The database worker: a dedicated Web Worker that owns one wasm instance
// and one open database, and serves a WorkerDatabase's requests
// (DESIGN.md decision 4; the protocol is worker-protocol.ts, the serving
// worker-server.ts).
import { open } from './browser-api.js';
import type { Endpoint } from './worker-protocol.js';
import { serveDatabase } from './worker-server.js';

declare const self: Endpoint;

serveDatabase(self, (name, options) => open(name, options));
