/**
 * The next task, by a message rather than a timer: in a browser, a chain of
 * zero-delay timers is clamped to 4 ms a turn after five (HTML's timer
 * nesting), which made a job of hundreds of tables wait seconds between its
 * files. One channel serves every call. Node has setImmediate.
 */
export const nextTask: () => Promise<void> = (() => {
  const { setImmediate } = globalThis as { setImmediate?: (f: () => void) => void };
  if (setImmediate) return () => new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'undefined') return () => new Promise((resolve) => setTimeout(resolve, 0));
  const { port1, port2 } = new MessageChannel();
  const waiting: (() => void)[] = [];
  port1.onmessage = () => waiting.shift()?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      port2.postMessage(null);
    });
})();

// A copy of megabytes goes this much per task: the first write to fresh
// memory pays its page faults (~4 ms a MiB on this project's VM), so a
// 4 MiB table copied in one task held the page's thread ~11 ms.
const COPY_STEP = 256 << 10;

/**
 * Copies source into `into` (at least as long) COPY_STEP a task, each
 * after a nextTask(); stops, answering false, once stillWanted() is false.
 */
export async function copyInSteps(source: Uint8Array, into: Uint8Array, stillWanted: () => boolean): Promise<boolean> {
  let at = 0;
  do {
    await nextTask();
    if (!stillWanted()) return false;
    into.set(source.subarray(at, at + COPY_STEP), at);
    at += COPY_STEP;
  } while (at < source.length);
  return true;
}
