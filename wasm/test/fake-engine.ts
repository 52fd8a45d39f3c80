// A scripted stand-in for the wasm module and its Embind Database, enough for
// the parts of a handle (EngineHandle, CommitPipeline, BackgroundDriver) to
// be tested alone: each call the parts make is recorded, and what it answers
// is set by the test.
import type { RawDatabase, StrataModule } from '../src/strata.js';

export interface FakeEngine {
  module: StrataModule;
  raw: RawDatabase;
  /** Every raw call made, by name, in order. */
  calls: string[];
  /** What the next calls answer (status codes; 0 is ok). */
  answers: {
    sync: number;
    flush: number;
    runPendingWork: number;
    runCompactionInline: number;
    completeCompaction: number;
  };
  /** Paths takeChanges() hands out next. */
  changes: string[];
  /** Event lines takeEvents() hands out next (event_queue.h's format). */
  eventLines: string[];
  /** Steps of pending work left; each runPendingWork() takes one. */
  pendingSteps: number;
  /** The memtable holds writes (freezeMemtable() then starts a flush). */
  memtableHolds: boolean;
  /** Steps a flush of a frozen memtable takes. */
  flushSteps: number;
  /** Steps left of the flush under way (0: none is). */
  flushStepsLeft: number;
  /** Flushes done (flushesDone()). */
  flushes: number;
  /** A compaction job waits to be taken. */
  jobWaiting: boolean;
  /** Files in the fake file system, by path. */
  files: Map<string, Uint8Array>;
}

/** Where the fake's descriptor() points: the result's {pointer, length}, then the text result's. */
export const DESCRIPTOR = 16;

export function fakeEngine(): FakeEngine {
  const heap = new ArrayBuffer(1 << 16);
  const fake: FakeEngine = {
    calls: [],
    answers: { sync: 0, flush: 0, runPendingWork: 0, runCompactionInline: 0, completeCompaction: 0 },
    changes: [],
    eventLines: [],
    pendingSteps: 0,
    memtableHolds: false,
    flushSteps: 3,
    flushStepsLeft: 0,
    flushes: 0,
    jobWaiting: false,
    files: new Map(),
  } as unknown as FakeEngine;
  const call = (name: string) => fake.calls.push(name);
  // A text result, where the binding leaves it: bytes at TEXT_AT, their
  // place in the two words after descriptor()'s.
  const TEXT_AT = 32768;
  const textResult = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    new Uint8Array(heap).set(bytes, TEXT_AT);
    new Uint32Array(heap).set([TEXT_AT, bytes.length], DESCRIPTOR / 4 + 2);
    return 0;
  };
  fake.module = {
    HEAPU8: new Uint8Array(heap),
    HEAPU32: new Uint32Array(heap),
    _strata_has_events: () => (fake.eventLines.length > 0 ? 1 : 0),
    _strata_has_pending_work: () => (fake.pendingSteps > 0 ? 1 : 0),
    _strata_has_compaction_job: () => (fake.jobWaiting ? 1 : 0),
    FS: {
      readFile: (path: string) => fake.files.get(path) ?? new Uint8Array(0),
      // A MEMFS node over the file's bytes, with spare capacity past them.
      lookupPath: (path: string) => {
        const bytes = fake.files.get(path) ?? new Uint8Array(0);
        const contents = new Uint8Array(bytes.length + 7);
        contents.set(bytes);
        return { node: { contents, usedBytes: bytes.length, timestamp: 0, mode: 0o100666 } };
      },
      writeFile: (path: string, bytes: Uint8Array) => void fake.files.set(path, bytes),
    },
  } as unknown as StrataModule;
  fake.raw = {
    handle: () => 8,
    descriptor: () => DESCRIPTOR,
    scratch: () => 1024,
    lastError: () => 'fake failure',
    lastCode: () => 4,
    sync: () => (call('sync'), fake.answers.sync),
    flush: () => (call('flush'), fake.answers.flush),
    close: () => (call('close'), 0),
    freezeMemtable: () => {
      call('freezeMemtable');
      if (fake.memtableHolds && fake.flushStepsLeft === 0) {
        fake.memtableHolds = false;
        fake.flushStepsLeft = fake.flushSteps;
        fake.pendingSteps += fake.flushSteps;
      }
      return 0;
    },
    flushUnderWay: () => fake.flushStepsLeft > 0,
    flushesDone: () => fake.flushes,
    runPendingWork: () => {
      call('runPendingWork');
      fake.pendingSteps = Math.max(0, fake.pendingSteps - 1);
      if (fake.flushStepsLeft > 0 && --fake.flushStepsLeft === 0) fake.flushes++;
      return fake.answers.runPendingWork;
    },
    takeChanges: () => {
      call('takeChanges');
      return textResult(fake.changes.splice(0).map((p) => `${p}\n`).join(''));
    },
    takeEvents: () => textResult(fake.eventLines.splice(0).map((l) => `${l}\n`).join('')),
    takeCompactionJob: () => {
      call('takeCompactionJob');
      fake.jobWaiting = false;
      return 0;
    },
    compactionJobId: () => 7,
    compactionInputs: () => '/db/000010.sst\n/db/000011.sst\n',
    compactionReservedOutputs: () => '/db/000020.sst\n/db/000021.sst\n/db/000022.sst\n',
    writeCompactionOutput: (path: string, bytes: Uint8Array) => {
      call(`writeCompactionOutput ${path}`);
      fake.files.set(path, bytes);
      return 0;
    },
    completeCompaction: () => (call('completeCompaction'), fake.answers.completeCompaction),
    runCompactionInline: () => (call('runCompactionInline'), fake.answers.runCompactionInline),
    delete: () => call('delete'),
  } as unknown as RawDatabase;
  return fake;
}
