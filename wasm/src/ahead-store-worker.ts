// The ahead store's worker (ahead-store.ts): stores the files a database
// sends it as IDBFS records, then hands their buffers back.
import { inOwnBuffer } from './bytes.js';
import { storeFiles } from './output-store.js';
import type { AheadStoreReply, AheadStoreRequest } from './ahead-store.js';

declare const self: {
  onmessage: ((e: MessageEvent<AheadStoreRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

self.onmessage = async (e: MessageEvent<AheadStoreRequest>) => {
  const { id, where, files } = e.data;
  let stored = true;
  try {
    // A record holds the file's bytes alone, not the spare room of its buffer.
    await storeFiles(indexedDB, where, files.map((f) => ({ ...f, bytes: inOwnBuffer(f.bytes) })));
  } catch {
    stored = false; // no IndexedDB here, quota, a deleted database: the commit stores them
  }
  const spare = files.map((f) => f.bytes.buffer as ArrayBuffer);
  const reply: AheadStoreReply = { id, stored, spare };
  self.postMessage(reply, spare);
};
