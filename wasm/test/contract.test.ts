// The API contract (contract-checks.js) against both handles in Node: the
// in-thread Database, and the WorkerDatabase over a real MessageChannel to
// serveDatabase() (the database worker's own code) in this process, so every
// argument, result, error and event crosses a structured clone as it does
// to a Web Worker. The browser suite runs the same checks in Chromium.
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { type Runtime, StrataError, createRuntime } from '../dist/node.js';
import { connect, type WorkerEndpoint } from '../dist/worker-client.js';
import { serveDatabase } from '../dist/worker-server.js';
import { type ContractEnv, type ContractHandle, contractChecks } from './contract-checks.js';
import { sleep } from './helpers.js';

const endpoints: WorkerEndpoint[] = [];
afterEach(() => {
  for (const e of endpoints.splice(0)) e.terminate();
});

/** A WorkerDatabase talking over a MessageChannel to serveDatabase() on runtime. */
function channel(runtime: Runtime): { endpoint: WorkerEndpoint; server: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  serveDatabase(port2 as unknown as WorkerEndpoint, (n, o) => runtime.open(n, o));
  const endpoint = Object.assign(port1, {
    terminate() {
      port1.close();
      port2.close();
    },
  }) as unknown as WorkerEndpoint;
  endpoints.push(endpoint);
  return { endpoint, server: port2 };
}

const kinds = {
  'in-thread Database': (runtime: Runtime, name: string, options?: object) => runtime.open(name, options),
  WorkerDatabase: (runtime: Runtime, name: string, options?: object) => connect(channel(runtime).endpoint, name, options ?? {}),
};

for (const [kind, openWith] of Object.entries(kinds)) {
  describe(`contract: ${kind}`, () => {
    // One storage and one runtime per check (the checks' names stay apart anyway).
    const factory = new IDBFactory();
    const runtimeOf = createRuntime({ indexedDB: factory });
    let counter = 0;
    const env: ContractEnv = {
      open: async (name, options) => (await openWith(await runtimeOf, name, options)) as unknown as ContractHandle,
      reopen: async (name, options) =>
        (await openWith(await createRuntime({ indexedDB: factory }), name, options)) as unknown as ContractHandle,
      indexedDB: factory,
      name: (base) => `${base}-${counter++}`,
    };
    for (const check of contractChecks(env)) it(check.name, () => check.run());
  });
}

describe('contract: WorkerDatabase when the worker dies', () => {
  it('every pending and later call fails with IOError', async () => {
    const { endpoint, server } = channel(await createRuntime({ indexedDB: new IDBFactory() }));
    const db = await connect(endpoint, 'dying', {});
    await db.put('k', 'v');
    server.onmessage = null; // requests from here on go unanswered
    const pending = [db.get('k'), db.put('x', 'y')];
    await sleep(5);
    endpoint.onerror!({ message: 'killed', preventDefault() {} } as ErrorEvent); // as a Worker reports its death
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: 'IOError' });
    await expect(db.get('k')).rejects.toBeInstanceOf(StrataError);
  });
});

describe('contract: WorkerDatabase refresh()', () => {
  it('ends the iterators of the handle it replaces: their next page answers Closed, never a silent end', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const writer = await runtime.open('refreshed');
    await writer.batch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put' as const, key: `k${String(i).padStart(4, '0')}`, value: 'v' })));
    await writer.close();
    const viewer = await connect(channel(runtime).endpoint, 'refreshed', { readOnly: true });
    const it = viewer.iterator();
    let read = 0;
    for (; read < 600; read++) expect((await it.next()).done).toBe(false); // past the first page
    await viewer.refresh();
    await expect(
      (async () => {
        while (!(await it.next()).done) read++;
      })(),
    ).rejects.toMatchObject({ code: 'Closed' });
    expect(read).toBeLessThan(1000);
    await it.close();
    expect(await viewer.get('k0999')).toBe('v'); // the new handle reads
    await viewer.close();
  });

  it('holds the calls made while it runs, in order, and answers them from the new handle', async () => {
    const indexedDB = new IDBFactory();
    const writer = await (await createRuntime({ indexedDB })).open('held');
    await writer.put('old', '1');
    // Another runtime on the same storage, as another page would be.
    const viewer = await connect(channel(await createRuntime({ indexedDB })).endpoint, 'held', { readOnly: true });
    await writer.put('new', '2'); // durable: stored before the refresh reopens
    // One task: the calls travel in the same message as the refresh, right behind it.
    const refreshed = viewer.refresh();
    const reads = Promise.all([
      viewer.get('new'),
      viewer.getMany(['old', 'new']),
      viewer.scan(),
      viewer.refresh().then(() => viewer.has('new')),
      viewer.stats().then((stats) => stats.recoveredRecords), // held behind the second refresh too; the new handle replayed both puts
    ]);
    await refreshed;
    expect(await reads).toEqual([
      '2',
      ['1', '2'],
      [
        { key: 'new', value: '2' },
        { key: 'old', value: '1' },
      ],
      true,
      2,
    ]);
    await viewer.close();
    await writer.close();
  });

  it('holds calls that arrive in later messages while it runs', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const writer = await runtime.open('later');
    await writer.put('k', 'v');
    await writer.close();
    const viewer = await connect(channel(runtime).endpoint, 'later', { readOnly: true });
    const refreshed = viewer.refresh();
    await Promise.resolve(); // the refresh's message goes first
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await viewer.get('k')).toBe('v');
    await refreshed;
    await viewer.close();
  });

  it('leaves a handle that cannot refresh (a writable one) open and answering', async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const writer = await connect(channel(runtime).endpoint, 'writable', {});
    await writer.put('k', 'v');
    await expect(writer.refresh()).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(await writer.get('k')).toBe('v');
    await writer.put('k2', 'v2');
    await writer.close();
  });
});
