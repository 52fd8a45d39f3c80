// stratadb/level for Node 20+: StrataDB as an abstract-level 3 database.
// Node has no IndexedDB: pass `runtime` (createRuntime() with
// fake-indexeddb, say), or `storage: 'memory'`.
import { destroy, open } from '../node.js';
import { type LevelRuntime, StrataLevelInThread } from './strata-level.js';

export * from './exports.js';

/** A StrataDB database in this thread as an abstract-level database. */
export class StrataLevel<KDefault = string, VDefault = string> extends StrataLevelInThread<KDefault, VDefault> {
  protected defaultRuntime(): LevelRuntime {
    return { open, destroy };
  }
}
