// stratadb/level for browsers, Web Workers and bundlers: StrataDB as an
// abstract-level 3 database.
import { destroy, open } from '../index.js';
import { type LevelRuntime, StrataLevelInThread } from './strata-level.js';

export * from './exports.js';

/** A StrataDB database in this thread as an abstract-level database. */
export class StrataLevel<KDefault = string, VDefault = string> extends StrataLevelInThread<KDefault, VDefault> {
  protected defaultRuntime(): LevelRuntime {
    return { open, destroy };
  }
}
