// Names of the benchmark's scratch databases, and which are leftovers.
// A run holds the Web Lock `stratadb-bench:<stamp>` while its databases
// exist; a database of a stamp whose lock nobody holds belongs to a run that
// was cut short (a closed tab, a terminated worker) and may be deleted.

export const STRATA_PREFIX = '__bench__';
export const IDB_PREFIX = '__bench_idb__';
export const LOCK_PREFIX = 'stratadb-bench:';

export function scratchNames(stamp: number): { strata: string; idb: string; lock: string } {
  return { strata: `${STRATA_PREFIX}${stamp}`, idb: `${IDB_PREFIX}${stamp}`, lock: `${LOCK_PREFIX}${stamp}` };
}

/** The stamp of a scratch database name, or undefined if it is not one. */
export function stampOf(name: string, prefix: string): string | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const stamp = name.slice(prefix.length);
  return /^\d+$/.test(stamp) ? stamp : undefined;
}

/** Names (with `prefix`) whose stamp has no held lock. */
export function leftovers(names: readonly string[], prefix: string, heldLocks: readonly string[]): string[] {
  const held = new Set(heldLocks);
  return names.filter((name) => {
    const stamp = stampOf(name, prefix);
    return stamp !== undefined && !held.has(`${LOCK_PREFIX}${stamp}`);
  });
}
