// abstract-level 3's own compliance suite (abstract-level/test, tape)
// against stratadb/level in Node, in one setting per run (printed as TAP;
// scripts/test.sh adds its counts to the totals):
//
//   node test-level/node-suite.mjs memory          storage: 'memory'
//   node test-level/node-suite.mjs indexeddb       IndexedDB (fake-indexeddb)
//   node test-level/node-suite.mjs worker          StrataWorkerLevel over a
//        MessageChannel to serveDatabase() (the database worker's own code)
import test from 'tape';
import suite from 'abstract-level/test/index.js';
import { IDBFactory } from 'fake-indexeddb';
import { createRuntime } from 'stratadb';
import { StrataLevel, StrataWorkerLevel } from 'stratadb/level';
import { connect } from '../dist/worker-client.js';
import { serveDatabase } from '../dist/worker-server.js';

const setting = process.argv[2];
let count = 0;
const name = () => `level-suite-${count++}`;

/** A WorkerDatabase over a MessageChannel to serveDatabase() on runtime. */
function openOverChannel(runtime) {
  return (dbName, options) => {
    const { port1, port2 } = new MessageChannel();
    serveDatabase(port2, (n, o) => runtime.open(n, o));
    const endpoint = Object.assign(port1, {
      terminate() {
        port1.close();
        port2.close();
      },
    });
    return connect(endpoint, dbName, options);
  };
}

const factories = {
  memory: async () => (options) => new StrataLevel(name(), { storage: 'memory', ...options }),
  indexeddb: async () => {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    return (options) => new StrataLevel(name(), { runtime, ...options });
  },
  worker: async () => {
    const openWorker = openOverChannel(await createRuntime({ indexedDB: new IDBFactory() }));
    return (options) => new StrataWorkerLevel(name(), { openWorker, ...options });
  },
};

if (!(setting in factories)) {
  console.error(`node-suite.mjs: error: give a setting: ${Object.keys(factories).join(', ')}`);
  process.exit(2);
}
suite({ test, factory: await factories[setting]() });
// A test that leaves a database open (the suite has some) keeps a worker
// setting's MessagePorts, and so the process, alive: end it (tape sets the
// exit status from its results).
test.onFinish(() => process.exit());
