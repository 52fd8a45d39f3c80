// The workloads the generator can run: what share of gets, puts and deletes
// each issues and how it picks keys. Shown in the UI as written here.
import { mulberry32, randomBelow } from './prng.js';

export type WorkloadKind = 'sequential' | 'random' | 'overwrite' | 'read-heavy' | 'delete-heavy';
export type OpType = 'put' | 'get' | 'delete';

/** How keys are picked: in order (wrapping), uniformly, or mostly from a hot set. */
export type KeyPattern = 'sequential' | 'uniform' | 'hot';

export interface Mix {
  kind: WorkloadKind;
  label: string;
  /** Fractions of operations, summing to 1. */
  put: number;
  get: number;
  delete: number;
  keys: KeyPattern;
  /** What it shows about the engine. */
  why: string;
}

/** Under the 'hot' pattern, this share of operations goes to the hot set. */
export const HOT_SHARE = 0.9;

/** The hot set: the first 1% of the key space, 1 to 1,000 keys. */
export function hotSetSize(keySpace: number): number {
  return Math.min(1000, Math.max(1, Math.ceil(keySpace / 100)));
}

export const MIXES: readonly Mix[] = [
  {
    kind: 'sequential',
    label: 'Sequential inserts',
    put: 1,
    get: 0,
    delete: 0,
    keys: 'sequential',
    why: 'Keys in ascending order (wrapping at the key space): flushed tables do not overlap, so compaction mostly moves files down.',
  },
  {
    kind: 'random',
    label: 'Random inserts',
    put: 1,
    get: 0,
    delete: 0,
    keys: 'uniform',
    why: 'Every flushed table spans the whole key space, so each compaction merges many overlapping files.',
  },
  {
    kind: 'overwrite',
    label: 'Overwrite-heavy',
    put: 1,
    get: 0,
    delete: 0,
    keys: 'hot',
    why: 'Puts keep replacing a small hot set: compaction discards many old versions (bytes out far below bytes in).',
  },
  {
    kind: 'read-heavy',
    label: 'Read-heavy',
    put: 0.1,
    get: 0.9,
    delete: 0,
    keys: 'uniform',
    why: 'Gets over random keys with a trickle of writes: watch the bloom filter and block cache rates.',
  },
  {
    kind: 'delete-heavy',
    label: 'Delete-heavy',
    put: 0.5,
    get: 0,
    delete: 0.5,
    keys: 'uniform',
    why: 'Half the operations write tombstones, which compaction drops once they reach the last level.',
  },
];

export function mixOf(kind: WorkloadKind): Mix {
  const mix = MIXES.find((m) => m.kind === kind);
  if (!mix) throw new Error(`unknown workload ${kind}`);
  return mix;
}

/** "90% get · 10% put" */
export function describeShares(mix: Mix): string {
  const parts: string[] = [];
  for (const type of ['get', 'put', 'delete'] as const) {
    if (mix[type] > 0) parts.push(`${Math.round(mix[type] * 100)}% ${type}`);
  }
  return parts.join(' · ');
}

/** "uniform random keys over key:000000000 … key:000099999" and the like. */
export function describeKeys(mix: Mix, keySpace: number, format: (i: number) => string): string {
  const range = `${format(0)} … ${format(keySpace - 1)}`;
  switch (mix.keys) {
    case 'sequential':
      return `keys in order ${range}, then again from the start`;
    case 'uniform':
      return `uniform random keys over ${range}`;
    case 'hot': {
      const hot = hotSetSize(keySpace);
      return `${Math.round(HOT_SHARE * 100)}% to the hot set ${format(0)} … ${format(hot - 1)} (${hot} key${hot === 1 ? '' : 's'}), the rest uniform over ${range}`;
    }
  }
}

export interface Op {
  type: OpType;
  /** Key index, 0 .. keySpace - 1. */
  key: number;
}

/** Picks the next operation of a workload; seeded, so runs can be replayed. */
export class OpChooser {
  private readonly random: () => number;
  private next = 0;
  readonly mix: Mix;

  constructor(
    kind: WorkloadKind,
    private readonly keySpace: number,
    seed: number,
  ) {
    if (!Number.isInteger(keySpace) || keySpace < 1) throw new Error(`key space must be a positive integer, got ${keySpace}`);
    this.mix = mixOf(kind);
    this.random = mulberry32(seed);
  }

  choose(): Op {
    const mix = this.mix;
    const r = this.random();
    const type: OpType = r < mix.get ? 'get' : r < mix.get + mix.delete ? 'delete' : 'put';
    return { type, key: this.pickKey() };
  }

  private pickKey(): number {
    switch (this.mix.keys) {
      case 'sequential': {
        const key = this.next;
        this.next = (this.next + 1) % this.keySpace;
        return key;
      }
      case 'uniform':
        return randomBelow(this.random, this.keySpace);
      case 'hot':
        return this.random() < HOT_SHARE
          ? randomBelow(this.random, hotSetSize(this.keySpace))
          : randomBelow(this.random, this.keySpace);
    }
  }
}
