#!/usr/bin/env node
// What this machine charges for memory a process touches for the first
// time (a minor page fault: the kernel, or the hypervisor under it, maps a
// fresh page) against touching it again. The browser rows of README.md
// depend on it: every fresh page a JS engine, an allocator or IndexedDB
// touches costs this much (see README, "Fresh memory").
//
//   node wasm/bench/page-fault-cost.mjs [--mb=256] [--rounds=3]
const flag = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const MB = flag('mb', 256);
const PAGE = 4096;
for (let round = 0; round < flag('rounds', 3); round++) {
  const faultsBefore = process.resourceUsage().minorPageFault;
  let start = performance.now();
  const buffer = Buffer.allocUnsafeSlow(MB << 20); // mapped, not yet touched
  buffer.fill(1);
  const firstMs = performance.now() - start;
  const faults = process.resourceUsage().minorPageFault - faultsBefore;
  start = performance.now();
  buffer.fill(2);
  const againMs = performance.now() - start;
  // Per fault counted (a huge page is one fault for many pages).
  console.log(
    `${MB} MiB: ${faults} page faults; first touch ${((firstMs * 1000) / faults).toFixed(2)} us a fault, ` +
      `touched again ${((againMs * 1000) / ((MB << 20) / PAGE)).toFixed(3)} us a 4 KiB page`,
  );
}
