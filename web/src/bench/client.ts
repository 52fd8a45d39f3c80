// Starts the benchmark worker for one run. The worker is created with the
// pattern Vite recognizes (new Worker(new URL(...), {type: 'module'})), so
// it is bundled as its own module with the package's wasm and workers.
import type { BenchConfig, FromWorker, ToWorker } from './protocol.js';

export interface BenchRun {
  /** Asks the worker to stop; it still deletes its scratch databases and answers 'cancelled'. */
  cancel(): void;
  /** Ends the worker at once (its scratch databases are removed by the next run). */
  terminate(): void;
}

export function startBench(config: BenchConfig, onMessage: (message: FromWorker) => void): BenchRun {
  const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module', name: 'stratadb-bench' });
  const send = (message: ToWorker) => worker.postMessage(message);
  worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    onMessage({ type: 'error', message: `the benchmark worker failed: ${e.message || 'could not load it'}` });
  };
  worker.onmessageerror = () => onMessage({ type: 'error', message: 'a message from the benchmark worker could not be read' });
  send({ type: 'start', config });
  return {
    cancel: () => send({ type: 'cancel' }),
    terminate: () => worker.terminate(),
  };
}
