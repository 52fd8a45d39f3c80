// The dashboard is a static site: `base: './'` makes every asset URL
// relative, so dist/ works from any host under any sub-path. No
// cross-origin-isolation headers are needed (DESIGN.md decision 3).
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  worker: { format: 'es' },
  // stratadb loads its wasm and workers relative to its own modules:
  // pre-bundling would move them away from those files.
  optimizeDeps: { exclude: ['stratadb'] },
  // `npm run dev` serves stratadb from ../wasm (a file: dependency).
  server: { host: '127.0.0.1', fs: { allow: ['.', '../wasm'] } },
});
