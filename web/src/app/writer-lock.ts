// Whether some tab, worker or runtime of this site holds a database's write
// lock: the package takes the Web Lock `stratadb:<name>` for a writer's
// whole life (README, "One writer per database"), so a viewer can tell when
// the writer went away by asking the lock manager, without taking the lock.

const lockName = (database: string): string => `stratadb:${database}`;

/** True or false; undefined where the browser has no Web Locks (or the query failed). */
export async function writerLockHeld(database: string): Promise<boolean | undefined> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks || typeof locks.query !== 'function') return undefined;
  try {
    const snapshot = await locks.query();
    return (snapshot.held ?? []).some((lock) => lock.name === lockName(database));
  } catch {
    return undefined;
  }
}
