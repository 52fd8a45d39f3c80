/// <reference lib="webworker" />
// The benchmark's worker: runs every workload on a scratch StrataDB
// database (the package's in-thread API, compaction in a nested worker) and
// on a scratch raw IndexedDB database, reports progress and results to the
// page (protocol.ts), and deletes both databases at the end, cancelled or
// not. Before every phase it waits (untimed) for StrataDB's background
// flushes and compactions, so they are not timed against either side.
import { destroy, list, open } from 'stratadb';
import { describeError } from '../model/error-text.js';
import type { BenchConfig, FromWorker, Side, ToWorker } from './protocol.js';
import { SIDE_LABEL, phases, workloadById } from './workloads.js';
import { Cancelled, makeData, runWorkload, type BenchTarget, type Control } from './runner.js';
import { SETTLE_TIMEOUT_MS, STRATA_BENCH_OPTIONS, strataTarget, type BenchDatabase } from './strata-target.js';
import { deleteIdb, idbTarget, openIdb } from './idb-target.js';
import { IDB_PREFIX, STRATA_PREFIX, leftovers, scratchNames } from './scratch.js';

declare const self: DedicatedWorkerGlobalScope;

let cancelled = false;
let started = false;

const post = (message: FromWorker) => self.postMessage(message);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const message = e.data;
  if (message.type === 'cancel') cancelled = true;
  else if (message.type === 'start' && !started) {
    started = true;
    const names = scratchNames(Date.now());
    // Hold the run's lock while its databases exist (see scratch.ts).
    void navigator.locks.request(names.lock, () => run(message.config, names));
  }
};

async function removeLeftovers(): Promise<void> {
  const held = (await navigator.locks.query()).held?.map((l) => l.name ?? '') ?? [];
  const strata = leftovers(await list(), STRATA_PREFIX, held);
  const idb = leftovers(
    (await indexedDB.databases()).map((d) => d.name ?? ''),
    IDB_PREFIX,
    held,
  );
  for (const name of strata) await destroy(name).catch(() => {});
  for (const name of idb) await deleteIdb(name).catch(() => {});
  if (strata.length + idb.length > 0) post({ type: 'note', message: `removed ${strata.length + idb.length} scratch database(s) left by an earlier run` });
}

async function run(config: BenchConfig, names: ReturnType<typeof scratchNames>): Promise<void> {
  let strataDb: BenchDatabase | undefined;
  let idb: IDBDatabase | undefined;
  let outcome: FromWorker = { type: 'done' };
  try {
    await removeLeftovers();
    strataDb = await open(names.strata, STRATA_BENCH_OPTIONS);
    idb = await openIdb(names.idb);
    const targets: Record<Side, BenchTarget> = { stratadb: strataTarget(strataDb), indexeddb: idbTarget(idb) };
    const data = makeData(config);
    for (const { workload: id, side } of phases()) {
      const total = workloadById(id).ops(config);
      post({ type: 'phase', workload: id, side, total });
      for (const target of Object.values(targets)) {
        const settled = await target.settle(() => cancelled);
        if (cancelled) throw new Cancelled();
        if (!settled) {
          post({ type: 'note', message: `${SIDE_LABEL[target.side]}: background work still running after ${SETTLE_TIMEOUT_MS / 1000} s; the next phase runs beside it` });
        }
      }
      const control: Control = {
        now: () => performance.now(),
        cancelled: () => cancelled,
        progress: (done, of) => post({ type: 'progress', workload: id, side, done, total: of }),
        pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
      };
      post({ type: 'result', result: await runWorkload(id, targets[side]!, config, data, control) });
    }
  } catch (e) {
    outcome = e instanceof Cancelled ? { type: 'cancelled' } : { type: 'error', message: describeError(e).text };
  }
  // Clean up whatever happened above; each step even if another failed.
  const failures: string[] = [];
  const attempt = async (what: string, step: () => unknown) => {
    try {
      await step();
    } catch (e) {
      failures.push(`${what}: ${describeError(e).text}`);
    }
  };
  idb?.close();
  await attempt(`deleting ${names.idb}`, () => deleteIdb(names.idb));
  if (strataDb && !strataDb.closed) await attempt(`closing ${names.strata}`, () => strataDb.close());
  await attempt(`destroying ${names.strata}`, () => destroy(names.strata));
  if (failures.length > 0 && outcome.type !== 'error') outcome = { type: 'error', message: failures.join('; ') };
  post(outcome);
}
