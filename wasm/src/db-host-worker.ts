// The database host worker: one dedicated Web Worker, one wasm instance,
// serving every database a page opens with openInHostWorker(). Each
// arrives as a MessagePort of its own and is served as db-worker.ts serves
// its one database (worker-server.ts).
import { open } from './browser-api.js';
import type { Endpoint } from './worker-protocol.js';
import { serveDatabase } from './worker-server.js';

declare const self: { onmessage: ((e: MessageEvent<MessagePort>) => void) | null };

self.onmessage = (e) => serveDatabase(e.data as unknown as Endpoint, (name, options) => open(name, options));
