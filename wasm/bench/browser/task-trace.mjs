// The page's own tasks, from a Chromium trace: a page running under
// runPage(..., { taskTrace: true }) calls `await window.benchTrace('start')`,
// marks what it measures with performance.mark(`${label}-start`) and
// performance.mark(`${label}-end`), and gets back from
// `await window.benchTrace('stop', label)` the tasks its main thread ran
// between the two marks. A task's wall time is how long the thread could do
// nothing else; its thread time, how much of that it ran on a core (the rest
// it waited for one). A probe in the page (a timer's lateness) sees both
// the page's tasks and the machine's: this tells them apart.
//
// A page whose tasks are too many to trace (a busy loop) starts with
// `benchTrace('start', 'collections')` instead: only the garbage collectors
// are traced, and `benchTrace('stop', label, { fromMs, toMs })` answers how
// long they held the main thread within that window (milliseconds after the
// start mark).

// RunTask (every task a thread runs), V8's collections (MinorGC, MajorGC)
// and the page's marks; with sampleCode, V8's sampling profiler too.
const CATEGORIES = ['disabled-by-default-devtools.timeline', 'devtools.timeline', 'blink.user_timing'];
const PROFILER = 'disabled-by-default-v8.cpu_profiler';
const COLLECTIONS = new Set(['MinorGC', 'MajorGC']);
// The phases of V8's collector and of Oilpan (Blink's, cppgc), and the marks.
const GC_CATEGORIES = ['disabled-by-default-v8.gc', 'disabled-by-default-cppgc', 'cppgc', 'blink.user_timing'];

/**
 * Lets the page at tab trace its main thread's tasks (see above). With
 * sampleCode, V8's profiler samples what they run (busiestRan), at the
 * price of a sampling thread that takes turns on the machine's cores.
 */
export async function exposeTaskTrace(tab, { sampleCode = false } = {}) {
  const cdp = await tab.context().newCDPSession(tab);
  let events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  let collectionsOnly = false;
  await tab.exposeFunction('benchTrace', async (action, label, within) => {
    if (action === 'start') {
      events = [];
      collectionsOnly = label === 'collections';
      const includedCategories = collectionsOnly ? GC_CATEGORIES : sampleCode ? [...CATEGORIES, PROFILER] : CATEGORIES;
      await cdp.send('Tracing.start', { traceConfig: { includedCategories }, transferMode: 'ReportEvents' });
      return undefined;
    }
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    return collectionsOnly ? collectionTimeWithin(events, label, within) : mainThreadTasks(events, label);
  });
}

/** The mark `name` of the page, or an error. */
function findMark(events, name) {
  const found = events.find((e) => e.name === name && e.cat.includes('blink.user_timing'));
  if (!found) throw new Error(`the trace has no mark ${name}`);
  return found;
}

/**
 * { gcMs }: how long the collectors' phases (any of them, overlapping ones
 * counted once) ran on the page's main thread within fromMs..toMs after the
 * mark `${label}-start`.
 */
export function collectionTimeWithin(events, label, { fromMs, toMs }) {
  const startMark = findMark(events, `${label}-start`);
  const from = startMark.ts + fromMs * 1000;
  const to = startMark.ts + toMs * 1000;
  const spans = events
    .filter((e) => e.ph === 'X' && e.pid === startMark.pid && e.tid === startMark.tid)
    .map((e) => [Math.max(e.ts, from), Math.min(e.ts + e.dur, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return { gcMs: +(total / 1000).toFixed(1) };
}

/**
 * The tasks of the renderer's main thread that overlap the marks
 * `${label}-start` .. `${label}-end`: { tasks, longestMs, longestThreadMs
 * (the longest task's own time on a core), longestGcMs (the time V8's
 * collector took within it), mostThreadMs (the most time on a core of any
 * task), busiestRan (what that task ran, from V8's samples when traced
 * with sampleCode: see sampledCode), over16 (tasks of 16 ms or more) }.
 */
export function mainThreadTasks(events, label) {
  const startMark = findMark(events, `${label}-start`);
  const start = startMark.ts;
  const end = findMark(events, `${label}-end`).ts;
  // The page's main thread: the one that made the marks (the trace holds
  // every process of the browser).
  const onMain = (e) => e.pid === startMark.pid && e.tid === startMark.tid;
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && onMain(e) && e.ts < end && e.ts + e.dur > start);
  if (tasks.length === 0) throw new Error('the trace has no task of the page between its marks');
  const threadTime = (e) => e.tdur ?? e.dur;
  const longest = tasks.reduce((a, b) => (b.dur > a.dur ? b : a));
  const within = (e) => e.ts >= longest.ts && e.ts + e.dur <= longest.ts + longest.dur;
  const gc = events.filter((e) => e.ph === 'X' && COLLECTIONS.has(e.name) && onMain(e) && within(e));
  const busiest = tasks.reduce((a, b) => (threadTime(b) > threadTime(a) ? b : a));
  return {
    tasks: tasks.length,
    longestMs: +(longest.dur / 1000).toFixed(1),
    longestThreadMs: +(threadTime(longest) / 1000).toFixed(1),
    longestGcMs: +(gc.reduce((n, e) => n + e.dur, 0) / 1000).toFixed(1),
    mostThreadMs: +(threadTime(busiest) / 1000).toFixed(1),
    busiestRan: sampledCode(events, busiest),
    over16: tasks.filter((e) => e.dur >= 16_000).length,
  };
}

/**
 * What a task of the page's main thread ran, from the samples V8's profiler
 * took within it: the three functions of the page's scripts (the page's
 * own and the package's; not Emscripten's glue or the wasm module) that
 * most samples were in, each with its share, and `(wasm)` where most of
 * those samples were in the module below it. A sample with no such
 * function on its stack counts under the profiler's name for what ran
 * (`(garbage collector)`, `(program)`, a wasm function). 'no samples' if
 * none fell in the task; undefined where the trace has no profile (not
 * traced with sampleCode).
 */
function sampledCode(events, task) {
  const profile = events.find((e) => e.name === 'Profile' && e.pid === task.pid && e.tid === task.tid);
  if (!profile) return undefined;
  const chunks = events
    .filter((e) => e.name === 'ProfileChunk' && e.id === profile.id && e.pid === profile.pid)
    .sort((a, b) => a.ts - b.ts);
  const nodes = new Map();
  const counts = new Map(); // label -> { samples, inWasm }
  let total = 0;
  // Sample times count from the Profile event's time (as DevTools does: its
  // startTime may be on another clock than the trace's).
  let ts = profile.ts;
  for (const { args } of chunks) {
    const { cpuProfile, timeDeltas = [] } = args.data;
    for (const node of cpuProfile?.nodes ?? []) nodes.set(node.id, node);
    (cpuProfile?.samples ?? []).forEach((id, i) => {
      ts += timeDeltas[i] ?? 0;
      if (ts < task.ts || ts > task.ts + task.dur) return;
      const leaf = nodes.get(id);
      if (!leaf || leaf.callFrame.functionName === '(idle)') return;
      let node = leaf;
      while (node && !isPageCode(node.callFrame)) node = nodes.get(node.parent);
      const label = node ? frameName(node.callFrame) : leaf.callFrame.functionName;
      const count = counts.get(label) ?? { samples: 0, inWasm: 0 };
      count.samples++;
      if (leaf.callFrame.codeType === 'wasm') count.inWasm++;
      counts.set(label, count);
      total++;
    });
  }
  if (total === 0) return 'no samples';
  return [...counts]
    .sort((a, b) => b[1].samples - a[1].samples)
    .slice(0, 3)
    .map(([label, { samples, inWasm }]) => `${label}${inWasm * 2 > samples ? ' (wasm)' : ''} ${Math.round((100 * samples) / total)}%`)
    .join(', ');
}

/** A frame's URL without its query or fragment. */
const pathOf = (url) => (url ?? '').split(/[?#]/)[0];

/** Whether a profile's frame is in one of the page's scripts (not Emscripten's glue). */
function isPageCode({ codeType, url }) {
  const path = pathOf(url);
  return codeType === 'JS' && /\.m?js$/.test(path) && !path.endsWith('/strata.js');
}

/** `function file:line` of a frame in a page's script. */
function frameName({ functionName, url, lineNumber }) {
  const file = pathOf(url).split('/').pop();
  return `${functionName || '(anonymous)'} ${file}${lineNumber >= 0 ? `:${lineNumber + 1}` : ''}`;
}
