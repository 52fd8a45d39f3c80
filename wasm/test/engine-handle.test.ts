// EngineHandle alone (engine-handle.ts), over a scripted engine: what a call
// leaves in wasm memory and the events read after it.
import { describe, expect, it } from 'vitest';
import { readText } from '../dist/bytes.js';
import { EngineHandle } from '../dist/engine-handle.js';
import type { StrataEvent } from '../dist/events.js';
import { DESCRIPTOR, fakeEngine } from './fake-engine.js';

describe('EngineHandle', () => {
  it("reading the events a call queued leaves that call's result in place", () => {
    // The package reads events after every call, before it reads the
    // call's result (a get's value, a chunk): the events come back in
    // words of their own (wasm/binding/database.h).
    const fake = fakeEngine();
    const engine = new EngineHandle(fake.module, fake.raw, () => {});
    const events: StrataEvent[] = [];
    engine.events.subscribe((e) => events.push(e));
    const value = new TextEncoder().encode('the value of a get');
    fake.module.HEAPU8.set(value, 2048);
    fake.module.HEAPU32.set([2048, value.length], DESCRIPTOR / 4);
    fake.eventLines.push('{"type":"wal-segment-closed","number":7,"bytes":120,"records":1}');
    engine.drainEvents();
    expect(events.map((e) => e.type)).toEqual(['wal-segment-closed']);
    const { heap, ptr, size } = engine.result();
    expect(new TextDecoder().decode(heap.subarray(ptr, ptr + size))).toBe('the value of a get');
  });

  it("reads a text result (changed paths, event lines) whatever its characters and length", () => {
    const fake = fakeEngine();
    const engine = new EngineHandle(fake.module, fake.raw, () => {});
    // Short ASCII text is read a byte at a time, anything else decoded.
    for (const n of [0, 1, 255, 256, 257, 3000]) {
      for (const last of ['', '/', 'é', '日', '😀', '\u007f', '\u0080']) {
        const path = 'p'.repeat(Math.max(0, n - last.length)) + last;
        fake.changes = [path];
        expect(engine.text(fake.raw.takeChanges()), `${n} ${JSON.stringify(last)}`).toBe(`${path}\n`);
      }
    }
    // Malformed UTF-8 reads as TextDecoder reads it, short or long.
    for (const n of [2, 300]) {
      const bytes = new Uint8Array(n).fill(0x61);
      bytes[n - 1] = 0xff;
      expect(readText(bytes, 0, n)).toBe(`${'a'.repeat(n - 1)}\ufffd`);
    }
  });
});
