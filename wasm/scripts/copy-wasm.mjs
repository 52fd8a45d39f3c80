// Copies the Emscripten output (strata.js, strata.wasm) and the glue's type
// declarations into dist/ beside the compiled TypeScript.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL(process.env.STRATA_WASM_BUILD ?? '../build/wasm/wasm/binding/', root);
const dist = new URL('dist/', root);
mkdirSync(dist, { recursive: true });
for (const file of ['strata.js', 'strata.wasm']) {
  const from = new URL(file, built);
  if (!existsSync(from)) {
    console.error(`missing ${from.pathname}: run scripts/build-wasm.sh from the repository root`);
    process.exit(1);
  }
  copyFileSync(from, new URL(file, dist));
}
copyFileSync(new URL('src/strata.d.ts', root), new URL('strata.d.ts', dist));
