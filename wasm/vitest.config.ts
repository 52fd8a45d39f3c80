import { defineConfig } from 'vitest/config';

// The suites test the built package (dist/, made by scripts/build-wasm.sh),
// which is what users import.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One file at a time: the 2-core machines run heavy workloads per file.
    fileParallelism: false,
  },
});
