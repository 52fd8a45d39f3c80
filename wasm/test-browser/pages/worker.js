// Runs in a module Web Worker: open, write, read, reopen.
import { open, StrataError } from '../../dist/index.js';

const run = async () => {
  const db = await open('in-worker');
  await db.put('a', '1');
  await db.batch([{ type: 'put', key: 'b', value: '2' }]);
  let code;
  try {
    await db.put(7, 'x'); // a number is no key
  } catch (e) {
    code = e instanceof StrataError ? e.code : String(e);
  }
  await db.close();
  const again = await open('in-worker');
  const result = { entries: again.scan(), badKeyCode: code };
  await again.close();
  return result;
};
run().then(
  (result) => postMessage(result),
  (error) => postMessage({ error: String(error?.stack ?? error) }),
);
