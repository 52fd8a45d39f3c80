// The compaction worker: a wasm instance of its own that merges the tables
// a database sends it (compaction.ts) and sends the new tables back, having
// stored them in IndexedDB first when the job says where (output-store.ts).
import createStrataModule from './strata.js';
import { type CompactionJobMessage, type RecycleMessage, runCompactionIn } from './compaction.js';
import { storeFiles } from './output-store.js';

declare const self: {
  onmessage: ((e: MessageEvent<CompactionJobMessage | RecycleMessage>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

const wasmUrl = new URL('./strata.wasm', import.meta.url);
const module = createStrataModule({ locateFile: () => wasmUrl.href });

self.onmessage = async (e: MessageEvent<CompactionJobMessage | RecycleMessage>) => {
  if ('recycled' in e.data) return; // dropped: freed on this thread
  const job = e.data;
  try {
    const reply = runCompactionIn(await module, job);
    if (job.store) {
      self.postMessage({ id: job.id, storing: true });
      try {
        await storeFiles(indexedDB, job.store, reply.outputs);
        reply.stored = true;
      } catch {
        // Not stored (no IndexedDB here, quota, a deleted database): the
        // database stores them with its next commit, as it would anyway.
        reply.stored = false;
      }
    }
    const outputs = reply.outputs.map((o) => o.bytes.buffer as ArrayBuffer);
    self.postMessage(reply, [reply.result.buffer as ArrayBuffer, ...outputs, ...(reply.spare ?? [])]);
  } catch (error) {
    self.postMessage({ id: job.id, error: String(error) });
  }
};
