// Response buffers that come back (buffer-pool.ts): the pool itself, and a
// WorkerDatabase over a MessageChannel to serveDatabase() that sends back
// what it decoded into strings and never what it handed out as views.
import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { createRuntime } from '../dist/node.js';
import { BufferPool, POOL_BYTES } from '../dist/buffer-pool.js';
import { connect, type WorkerEndpoint } from '../dist/worker-client.js';
import { _responseBuffers, serveDatabase } from '../dist/worker-server.js';
import type { ClientMessage } from '../dist/worker-protocol.js';

describe('BufferPool', () => {
  it('gives views of the size asked, and reuses a buffer given back', () => {
    const pool = new BufferPool();
    const first = pool.take(13_000);
    expect(first.byteLength).toBe(13_000);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBeGreaterThanOrEqual(13_000);
    pool.give([first.buffer]);
    expect(pool.bytes).toBe(first.buffer.byteLength);
    const again = pool.take(12_000);
    expect(again.buffer).toBe(first.buffer);
    expect(again.byteLength).toBe(12_000);
    expect(pool.bytes).toBe(0);
  });

  it('makes a new buffer when none kept is big enough', () => {
    const pool = new BufferPool();
    const small = pool.take(100);
    pool.give([small.buffer]);
    const big = pool.take(small.buffer.byteLength + 1);
    expect(big.buffer).not.toBe(small.buffer);
    expect(pool.take(10).buffer).toBe(small.buffer);
  });

  it('gives the smallest buffer that fits', () => {
    const pool = new BufferPool();
    const sizes = [64 << 10, 16 << 10, 256 << 10, 32 << 10];
    pool.give(sizes.map((n) => new ArrayBuffer(n)));
    expect(pool.take(20_000).buffer.byteLength).toBe(32 << 10);
    expect(pool.take(100).buffer.byteLength).toBe(16 << 10);
    expect(pool.take(100).buffer.byteLength).toBe(64 << 10);
  });

  it('takes a kept buffer only within the slack asked, never a new one', () => {
    const pool = new BufferPool();
    pool.give([new ArrayBuffer(100_000), new ArrayBuffer(120_000)]);
    expect(pool.takeKept(150_000, Infinity)).toBeUndefined(); // none big enough
    expect(pool.takeKept(50_000, 10_000)).toBeUndefined(); // none close enough
    const kept = pool.takeKept(95_000, 30_000)!;
    expect([kept.length, kept.buffer.byteLength]).toEqual([95_000, 100_000]);
    expect(pool.bytes).toBe(120_000);
    expect(pool.takeKept(95_000, 30_000)!.buffer.byteLength).toBe(120_000);
    expect(pool.bytes).toBe(0);
  });

  it(`keeps at most ${POOL_BYTES} bytes, each buffer once, and ignores what is not a whole ArrayBuffer`, () => {
    const pool = new BufferPool();
    const buffers = Array.from({ length: 10 }, () => new ArrayBuffer(POOL_BYTES / 4));
    pool.give(buffers);
    expect(pool.bytes).toBe(POOL_BYTES);
    const twice = new ArrayBuffer(100);
    const other = new BufferPool();
    other.give([twice, twice]);
    expect(other.bytes).toBe(100);
    expect(other.take(10).buffer).toBe(twice);
    expect(other.take(10).buffer).not.toBe(twice); // not handed out twice
    other.give([new Uint8Array(8), 'x', null, new ArrayBuffer(0)]);
    other.give('not a list');
    other.give(undefined);
    expect(other.bytes).toBe(0);
  });
});

describe('WorkerDatabase: response buffers come back', () => {
  const ends: (() => void)[] = [];
  afterEach(() => {
    for (const end of ends.splice(0)) end();
  });

  /** A WorkerDatabase over a MessageChannel, and every message it sent. */
  async function open(name: string) {
    const runtime = await createRuntime({ indexedDB: new IDBFactory() });
    const { port1, port2 } = new MessageChannel();
    serveDatabase(port2 as unknown as WorkerEndpoint, (n, o) => runtime.open(n, o));
    const sent: ClientMessage[] = [];
    const post = port1.postMessage.bind(port1);
    const endpoint = Object.assign(port1, {
      postMessage(message: ClientMessage, transfer: Transferable[]) {
        sent.push(message);
        try {
          post(message, transfer);
        } catch (e) {
          throw new Error(`the client sent a message that cannot be posted: ${String(e)}`); // the tests fail on it
        }
      },
      terminate() {
        port1.close();
        port2.close();
      },
    }) as unknown as WorkerEndpoint;
    ends.push(() => endpoint.terminate());
    return { db: await connect(endpoint, name, {}), sent };
  }
  const key = (i: number) => `k${String(i).padStart(5, '0')}`;
  const value = (i: number, round: number) => `${round}:${i}:${'v'.repeat(i % 300)}`;
  // (Sent buffers are detached here by then: count them.)
  const returned = (m: ClientMessage | undefined) => m?.returned?.length ?? 0;

  it('answers binary reads of one task, which share a buffer in the worker, each in a buffer of its own', async () => {
    const { db } = await open('shared');
    await db.batch(Array.from({ length: 50 }, (_, i) => ({ type: 'put' as const, key: key(i), value: value(i, 0) })));
    const large = 'L'.repeat(10_000); // over the size a slab takes: its own buffer already
    await db.put('large', large);
    const binary = { valueEncoding: 'binary' } as const;
    const [one, two, piped, big] = await Promise.all([
      db.get(key(1), binary),
      db.get(key(2), binary),
      db.pipeline([{ type: 'get', key: key(3) }, { type: 'get', key: key(4) }], binary),
      db.get('large', binary),
    ]);
    const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);
    expect([text(one), text(two), ...piped.map(text)]).toEqual([1, 2, 3, 4].map((i) => value(i, 0)));
    expect(text(big)).toBe(large);
    for (const v of [one, two, ...piped, big] as Uint8Array[]) expect(v.buffer.byteLength).toBe(v.byteLength);
    expect(text(await db.get(key(5), binary))).toBe(value(5, 0)); // the worker's next copy goes elsewhere
    await db.close();
  });

  it('sends back what it decoded into strings, which the worker reuses, and never what it handed out', async () => {
    const { db, sent } = await open('back');
    await db.batch(Array.from({ length: 2000 }, (_, i) => ({ type: 'put' as const, key: key(i), value: value(i, 0) })));
    expect((await db.scan({ limit: 100 })).length).toBe(100);
    const pooled = _responseBuffers.bytes;
    expect(await db.has(key(1))).toBe(true);
    expect(returned(sent.at(-1))).toBeGreaterThan(0);
    expect(_responseBuffers.bytes).toBeGreaterThan(pooled); // the worker kept it...
    const kept = _responseBuffers.bytes;
    expect((await db.scan({ limit: 100 })).length).toBe(100);
    expect(_responseBuffers.bytes).toBeLessThan(kept); // ...and answered into it
    await db.getMany([key(1), key(2)]);
    await db.has(key(1));
    expect(returned(sent.at(-1))).toBeGreaterThan(0);
    // Views handed out stay the caller's, in buffers of their answer's size.
    const views = await db.scan({ limit: 100, valueEncoding: 'binary' });
    const list = await db.getMany([key(3)], { valueEncoding: 'binary' });
    await db.has(key(1));
    expect(returned(sent.at(-1))).toBe(0);
    expect(new TextDecoder().decode(views[99]!.value)).toBe(value(99, 0));
    expect(new TextDecoder().decode(list[0]!)).toBe(value(3, 0));
    expect(list[0]!.buffer.byteLength).toBeLessThan(100); // the list's own size, not a pooled buffer's
    await db.close();
  });

  it('answers every read right while buffers go back and forth, and the views handed out never change', async () => {
    const { db } = await open('model');
    const N = 3000;
    const model = new Map<string, string>();
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const kept: { view: Uint8Array; expected: string }[] = [];
    const text = new TextDecoder();
    for (let round = 0; round < 40; round++) {
      // Values change size from round to round: responses outgrow the buffers that came back.
      const ops = Array.from({ length: 300 }, () => random(N)).map((i) => ({ type: 'put' as const, key: key(i), value: value(i, round) }));
      for (const op of ops) model.set(op.key, op.value);
      await db.batch(ops);
      const sorted = [...model.keys()].sort();
      const from = random(N);
      const limit = 1 + random(400);
      const binary = random(3) === 0;
      const expected = sorted.filter((k) => k >= key(from)).slice(0, limit);
      const scanned = await db.scan({ gte: key(from), limit, valueEncoding: binary ? 'binary' : 'utf8' });
      expect(scanned.map((e) => e.key)).toEqual(expected);
      scanned.forEach((e, j) => {
        if (e.value instanceof Uint8Array) kept.push({ view: e.value, expected: model.get(expected[j]!)! });
        else expect(e.value).toBe(model.get(expected[j]!));
      });
      const wanted = Array.from({ length: 50 }, () => key(random(N)));
      const values = await db.getMany(wanted, { valueEncoding: binary ? 'binary' : 'utf8' });
      values.forEach((v, j) => {
        if (v instanceof Uint8Array) kept.push({ view: v, expected: model.get(wanted[j]!)! });
        else expect(v).toBe(model.get(wanted[j]!));
      });
      const paged: string[] = [];
      for await (const entry of db.iterator({ gte: key(from), limit: 700, valueEncoding: binary ? 'binary' : 'utf8' })) {
        if (entry.value instanceof Uint8Array) kept.push({ view: entry.value, expected: model.get(entry.key as string)! });
        else expect(entry.value).toBe(model.get(entry.key as string));
        paged.push(entry.key as string);
      }
      expect(paged).toEqual(sorted.filter((k) => k >= key(from)).slice(0, 700));
    }
    for (const { view, expected } of kept) expect(text.decode(view)).toBe(expected);
    await db.close();
  });
});
