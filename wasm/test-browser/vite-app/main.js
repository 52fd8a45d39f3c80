// Bundled by Vite (test-browser/browser.test.mjs builds it): stratadb's wasm
// must come out as an asset the bundle finds.
import { open } from 'stratadb';

const run = async () => {
  const db = await open('vite-app');
  await db.put('hello', 'vite');
  const value = db.get('hello');
  await db.close();
  return { value };
};
run().then(
  (result) => (window.testResult = result),
  (error) => (window.testResult = { error: String(error?.stack ?? error) }),
);
