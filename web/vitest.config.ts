// Unit tests of the dashboard's logic (parsers and view models) in Node;
// the built site itself is tested in Chromium by test-e2e/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
