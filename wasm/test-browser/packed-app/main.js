// A fresh app's use of the packed package (test-browser/package.test.mjs
// installs the tarball and builds this with the app's own Vite): both entry
// points, each of their ways to run the database.
import { open, openInHostWorker, openInWorker } from 'stratadb';
import { StrataLevel, StrataWorkerLevel } from 'stratadb/level';

const run = async () => {
  const result = {};
  const db = await open('packed-app');
  await db.put('hello', 'stratadb');
  result.inThread = db.get('hello');
  await db.close();

  const inWorker = await openInWorker('packed-app-worker');
  await inWorker.put('hello', 'worker');
  result.inWorker = await inWorker.get('hello');
  await inWorker.close();

  const hosted = await openInHostWorker('packed-app-host');
  await hosted.put('hello', 'host');
  result.inHostWorker = await hosted.get('hello');
  await hosted.close();

  const level = new StrataLevel('packed-app-level', { valueEncoding: 'json' });
  await level.batch([
    { type: 'put', key: 'a', value: { n: 1 } },
    { type: 'put', key: 'b', value: { n: 2 } },
  ]);
  const snapshot = level.snapshot();
  await level.put('a', { n: 10 });
  result.level = {
    sync: level.getSync('a'),
    snapshot: await level.get('a', { snapshot }),
    entries: await level.iterator().all(),
    sublevel: await (async () => {
      const users = level.sublevel('users');
      await users.put('ada', 'lovelace');
      return level.keys().all();
    })(),
  };
  await snapshot.close();
  await level.close();

  const workerLevel = new StrataWorkerLevel('packed-app-worker-level');
  await workerLevel.put('k', 'v');
  result.workerLevel = await workerLevel.get('k');
  await workerLevel.close();
  return result;
};

run().then(
  (result) => (window.testResult = result),
  (error) => (window.testResult = { error: String(error?.stack ?? error) }),
);
