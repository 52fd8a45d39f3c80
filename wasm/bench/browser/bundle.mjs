// Builds a page that imports stratadb (and npm packages written for Node,
// such as abstract-level's and tape's CommonJS) with Vite, against this
// checkout's dist/, into outDir.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { build } from 'vite';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url)); // wasm/

/** Bundles the page whose index.html is in root (relative to wasm/) into outDir. */
export async function bundlePage(root, outDir) {
  await build({
    root: join(packageRoot, root),
    logLevel: 'error',
    resolve: {
      alias: [
        { find: /^stratadb\/level$/, replacement: join(packageRoot, 'dist/level/index.js') },
        { find: /^stratadb$/, replacement: join(packageRoot, 'dist/index.js') },
        // Node's streams for tape (abstract-level itself needs only 'events').
        { find: /^stream$/, replacement: 'stream-browserify' },
      ],
    },
    build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
  });
}
