// The package's entry points over a module loader; index.ts (browsers,
// workers, bundlers) and node.ts differ only in how they load the wasm.
import type { StrataModule } from './strata.js';
import type { Encoding } from './bytes.js';
import type { Database } from './database.js';
import { type DestroyOptions, type OpenOptions, Runtime, type RuntimeOptions } from './runtime.js';

export interface Api {
  /** Opens (creating if needed) the database `name` in the default runtime. */
  open<K extends Encoding = 'utf8', V extends Encoding = 'utf8'>(
    name: string,
    options?: OpenOptions<K, V>,
  ): Promise<Database<K, V>>;
  /** Deletes the database `name`, which must not be open. */
  destroy(name: string, options?: DestroyOptions): Promise<void>;
  /** The names of the databases stored in IndexedDB, sorted. */
  list(): Promise<string[]>;
  /** A runtime of its own: a fresh wasm instance, with its own options. */
  createRuntime(options?: RuntimeOptions): Promise<Runtime>;
}

export function makeApi(load: () => Promise<StrataModule>): Api {
  let defaultRuntime: Promise<Runtime> | undefined;
  const createRuntime = async (options: RuntimeOptions = {}) => new Runtime(await load(), options, load);
  const runtime = () => {
    // A failed load (say, a failed fetch of the wasm) is retried next time.
    defaultRuntime ??= createRuntime().catch((e: unknown) => {
      defaultRuntime = undefined;
      throw e;
    });
    return defaultRuntime;
  };
  return {
    open: async (name, options) => (await runtime()).open(name, options),
    destroy: async (name, options) => (await runtime()).destroy(name, options),
    list: async () => (await runtime()).list(),
    createRuntime,
  };
}
