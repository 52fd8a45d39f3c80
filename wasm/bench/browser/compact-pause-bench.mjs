// Runs compact-pause-bench.html in headless Chromium and prints its three
// runs: the longest pause of the page's thread during a compact() of a
// database of --mb megabytes opened in the page, with the compaction worker
// (measured by a 4 ms timer's lateness and by a busy ping loop, see the
// page's header) and with compactions inline; before them, the same probes
// for --floor seconds with no database (the machine's floor: idle, and with
// a worker spinning), and flush() of a --flushmb megabyte memtable. Under
// the timer probe the page's main thread is traced too (task-trace.mjs):
// its longest task (longestTaskMs), that task's time on a core (itsCpuMs)
// and in V8's collector (itsGcMs), the most time on a core of any task
// (mostCpuMs), and the tasks of 16 ms or more; with --sample=1, also what
// the busiest task ran (busiestRan: the functions of the page V8's
// profiler sampled most in it, each with its share of the samples; the
// sampling thread takes turns on the cores, so the pauses then measured
// are longer than without). A late timer turn with no
// long task of the page is the machine's (its thread waited for a core).
// Under the ping loop only the garbage collectors are traced: gapGcMs is
// their time on the page's thread within the loop's longest gap.
//
//   node wasm/bench/browser/compact-pause-bench.mjs [--mb=100] [--random=1] [--floor=8] [--flushmb=3] [--sample=1]
import { numberFlags, runPage } from './run-page.mjs';

const { sample, ...flags } = numberFlags({ mb: 100, random: 0, floor: 8, flushmb: 3, sample: 0 });
const { version, results } = await runPage('compact-pause-bench', flags, 3_600_000, { taskTrace: true, sampleCode: sample === 1 });
console.log(`Chromium ${version}: compact() of a database of ${flags.mb} MB of ${flags.random ? 'random' : 'repeated'} values, opened in the page`);
console.table(results.map(({ jobsByRunner, ...row }) => ({ ...row, ...(jobsByRunner && { jobsByRunner: JSON.stringify(jobsByRunner) }) })));
