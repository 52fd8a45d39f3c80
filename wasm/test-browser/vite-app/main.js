// Bundled by Vite (test-browser/browser.test.mjs builds it): stratadb's wasm
// and its database worker must come out as assets the bundle finds.
import { open, openInWorker } from 'stratadb';

const run = async () => {
  const db = await open('vite-app');
  await db.put('hello', 'vite');
  const value = db.get('hello');
  await db.close();
  const inWorker = await openInWorker('vite-app-worker');
  await inWorker.put('hello', 'worker');
  const workerValue = await inWorker.get('hello');
  await inWorker.close();
  return { value, workerValue };
};
run().then(
  (result) => (window.testResult = result),
  (error) => (window.testResult = { error: String(error?.stack ?? error) }),
);
