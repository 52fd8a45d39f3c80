// One open engine in the wasm module, as the package's parts share it: the
// Embind handle and the direct exports' address, argument passing into wasm
// memory, results out of it, status codes into StrataErrors, and the
// engine's events out to subscribers. The API (database.ts), the background
// driver (background.ts) and the commit pipeline (commit-pipeline.ts) each
// call the engine only through this.
import { ArgWriter } from './args.js';
import { readText } from './bytes.js';
import { parseEngineEvents } from './engine-events.js';
import { StrataError, engineError } from './errors.js';
import { EventHub } from './events.js';
import { LIMITS } from './limits.generated.js';
import type { RawDatabase, StrataModule } from './strata.js';

// Status codes the parts test for (engine/include/strata/status.h).
export const OK = LIMITS.statusCodes.indexOf('OK');
export const NOT_FOUND = LIMITS.statusCodes.indexOf('NotFound');
export const BUSY = LIMITS.statusCodes.indexOf('Busy');

export class EngineHandle {
  readonly args: ArgWriter;
  /** The address the module's _strata_* exports take. */
  readonly handle: number;
  readonly events = new EventHub();
  /** False once the engine is closed (the Embind object lives on until release()). */
  open = true;
  private readonly descriptor: number; // uint32 index of {pointer, length}

  /**
   * @param onBackgroundError told when the engine reports that it turned
   *   read-only (its 'error' events go through it, not straight out).
   */
  constructor(
    readonly module: StrataModule,
    readonly raw: RawDatabase,
    private readonly onBackgroundError: (error: StrataError) => void,
  ) {
    this.args = new ArgWriter(module, raw);
    this.descriptor = raw.descriptor() >>> 2;
    this.handle = raw.handle();
  }

  /** Throws the StrataError for a failed call's code. */
  check(code: number): void {
    if (code !== OK) throw this.error(code);
  }

  error(code: number): StrataError {
    return engineError(code, this.raw.lastError());
  }

  /** The bytes the last call left in wasm memory (valid until the next call). */
  result(): { heap: Uint8Array; ptr: number; size: number } {
    const u32 = this.module.HEAPU32;
    return { heap: this.module.HEAPU8, ptr: u32[this.descriptor]!, size: u32[this.descriptor + 1]! };
  }

  /**
   * The text result of takeChanges or takeEvents, given the code it
   * answered (checked first): the descriptor's second pair of words, so the
   * last call's result stays in place.
   */
  text(code: number): string {
    this.check(code);
    const u32 = this.module.HEAPU32;
    return readText(this.module.HEAPU8, u32[this.descriptor + 2]!, u32[this.descriptor + 3]!);
  }

  /** Delivers the events the engine queued during the last calls. */
  drainEvents(): void {
    if (this.module._strata_has_events(this.handle) === 0) return;
    for (const event of parseEngineEvents(this.text(this.raw.takeEvents()))) {
      if (event.type === 'error') this.onBackgroundError(new StrataError(event.code, event.message));
      else this.events.emit(event);
    }
  }

  /** Closes the engine (making writes durable in its files); its status code. */
  close(): number {
    const code = this.raw.close();
    this.drainEvents();
    this.open = false;
    return code;
  }

  /** Frees the Embind object. */
  release(): void {
    this.raw.delete();
  }
}
