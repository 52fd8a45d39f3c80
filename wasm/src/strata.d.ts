// Types of the Emscripten glue strata.js (built from wasm/binding by
// scripts/build-wasm.sh). Internal: the package's public API is index.ts.

/** Engine knobs passed to Database.open; every field is required. */
export interface OpenConfig {
  writeBufferBytes: number;
  blockCacheBytes: number;
  bloomBitsPerKey: number;
  compression: boolean;
  zlibLevel: number;
  paranoidChecks: boolean;
  createIfMissing: boolean;
  errorIfExists: boolean;
  deferredCompaction: boolean;
  /** The runner deferred jobs go to, as compaction events name it. */
  compactionRunner: string;
}

/**
 * The Embind `Database` (wasm/binding/database.h has the calling
 * convention). Methods return engine status codes; 0 is ok.
 */
export interface RawDatabase {
  open(dir: string, config: OpenConfig): number;
  close(): number;
  /** The address the StrataModule._strata_* calls take. */
  handle(): number;
  scratch(size: number): number;
  descriptor(): number;
  lastError(): string;
  /** The status code of the last failure. */
  lastCode(): number;
  newSnapshot(): number;
  releaseSnapshot(id: number): number;
  sync(): number;
  flush(): number;
  /** Freezes the memtable for the flush steps (runPendingWork) to write, without waiting. */
  freezeMemtable(): number;
  /** A frozen memtable is being flushed. */
  flushUnderWay(): boolean;
  /** Flushes completed since open. */
  flushesDone(): number;
  /** At most maxJobs jobs (0: no limit); compactFinished() says whether it went to the end; resume: CompactRangeOptions'. */
  compact(hasBegin: boolean, beginSize: number, hasEnd: boolean, endSize: number, maxJobs: number, resume: boolean): number;
  compactFinished(): boolean;
  runPendingWork(): number;
  takeChanges(): number; // text result ('\n'-terminated paths), read with EngineHandle.text
  takeCompactionJob(): number;
  compactionInputs(): string;
  compactionReservedOutputs(): string;
  compactionJobId(): number;
  takeEvents(): number; // text result (JSON lines), read with EngineHandle.text
  /** Adds a compaction output: bytes becomes the file (the caller gives it up). */
  writeCompactionOutput(path: string, bytes: Uint8Array): number;
  completeCompaction(size: number): number;
  runCompactionInline(): number;
  statsJson(): string;
  metrics(): string;
  /** Frees the Embind handle. */
  delete(): void;
}

/** A MEMFS file node (src/library_memfs.js in 3.1.6). */
export interface MemfsNode {
  name: string;
  parent: MemfsDirectory; // kept after an unlink, which takes the node out of parent.contents
  contents: Int8Array | Uint8Array | null; // may have spare capacity past usedBytes
  usedBytes: number;
  timestamp: number; // ms
  mode: number;
}

/** A MEMFS directory node (a mount's root, as FS.mount returns it): its entries by name. */
export interface MemfsDirectory {
  contents: Record<string, MemfsNode>;
  mount: unknown;
}

/** The subset of Emscripten's FS that the package uses. */
export interface EmscriptenFS {
  lookupPath(path: string): { node: MemfsNode };
  writeFile(path: string, data: Uint8Array, options?: { canOwn?: boolean }): void;
  readFile(path: string): Uint8Array;
  stat(path: string): { mode: number };
  mkdirTree(path: string): void;
  mount(type: unknown, options: object, mountpoint: string): unknown;
  unmount(mountpoint: string): void;
  readdir(path: string): string[];
  unlink(path: string): void;
  rmdir(path: string): void;
  analyzePath(path: string): { exists: boolean };
}

/** Emscripten's IDBFS backend (src/library_idbfs.js in 3.1.6). */
export interface IdbfsBackend {
  indexedDB: () => IDBFactory;
  dbs: Record<string, IDBDatabase | undefined>;
  DB_STORE_NAME: string;
  getDB(name: string, callback: (err: unknown, db?: IDBDatabase) => void): void;
  syncfs(mount: unknown, populate: boolean, callback: (err: unknown) => void): void;
}

export interface StrataModule {
  Database: new () => RawDatabase;
  // The calls made per key, as plain exports taking RawDatabase.handle()
  // (wasm/binding/bindings.cc); status codes as RawDatabase's methods.
  _strata_put(handle: number, keySize: number, valueSize: number): number;
  _strata_delete(handle: number, keySize: number): number;
  _strata_write(handle: number, size: number): number;
  _strata_get(handle: number, keySize: number, snapshotId: number): number;
  _strata_get_many(handle: number, size: number, snapshotId: number, withValues: number, utf8Wanted: number): number;
  /** A cursor's id (> 0), or 0 on error; booleans as 0 or 1. */
  _strata_new_cursor(
    handle: number,
    hasLower: number,
    lowerSize: number,
    lowerInclusive: number,
    hasUpper: number,
    upperSize: number,
    upperInclusive: number,
    reverse: number,
    snapshotId: number,
  ): number;
  _strata_cursor_next(handle: number, cursor: number, maxEntries: number, maxBytes: number, utf8Wanted: number): number;
  _strata_cursor_seek(handle: number, cursor: number, targetSize: number): number;
  _strata_close_cursor(handle: number, cursor: number): number;
  /** 1 when the engine's files changed since the last takeChanges(). */
  _strata_has_changes(handle: number): number;
  _strata_has_pending_work(handle: number): number;
  _strata_has_compaction_job(handle: number): number;
  _strata_has_events(handle: number): number;
  /** In a compaction worker's instance: runs an envelope, returns the encoded result. */
  runCompaction(envelope: Uint8Array): Uint8Array;
  /** DB::Destroy on a closed database's directory: '' when done, else "<code> <message>". */
  destroyDatabase(dir: string): string;
  /**
   * Set by the package: a view of size bytes at the start of a buffer it
   * kept, for the bytes of new file `name` (wasm/binding/memfs_files.cc), if
   * it has one.
   */
  strataFileBuffer?: (size: number, name: string) => Uint8Array | undefined;
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  FS: EmscriptenFS;
  IDBFS: IdbfsBackend;
}

export interface ModuleOverrides {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export default function createStrataModule(overrides?: ModuleOverrides): Promise<StrataModule>;
