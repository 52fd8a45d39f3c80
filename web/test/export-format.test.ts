import { describe, expect, it } from 'vitest';
import { createRuntime } from 'stratadb';
import { ExportFormatError, batches, entryLine, headerLine, parseExport, trailerLine } from '../src/model/export-format.js';
import { base64ToBytes, bytesToBase64 } from '../src/model/base64.js';

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (s: string) => new TextEncoder().encode(s);

function fileOf(entries: { key: Uint8Array; value: Uint8Array }[], name = 'demo'): string {
  return headerLine(name, Date.UTC(2026, 10, 24)) + entries.map((e) => entryLine(e.key, e.value)).join('') + trailerLine(entries.length);
}

describe('base64', () => {
  it('round-trips every byte value and lengths around the padding', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let n = 0; n <= 256; n += 1) expect(base64ToBytes(bytesToBase64(all.subarray(0, n)))).toEqual(all.subarray(0, n));
  });

  it('round-trips more than one chunk', () => {
    const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
    expect(base64ToBytes(bytesToBase64(big))).toEqual(big);
  });

  it('refuses what is not base64', () => {
    for (const bad of ['a', 'ab=', '****', 'YQ==YQ==', 'Y Q==']) expect(base64ToBytes(bad), bad).toBeUndefined();
  });
});

describe('export format', () => {
  it('reads back what it writes, binary bytes included', () => {
    const entries = [
      { key: bytes(0, 255, 10, 34), value: bytes() },
      { key: text('a'), value: text('1') },
      { key: text('ключ'), value: text('значение') },
    ];
    const parsed = parseExport(fileOf(entries, 'my db'));
    expect(parsed.database).toBe('my db');
    expect(parsed.exportedAt).toBe('2026-11-24T00:00:00.000Z');
    expect(parsed.entries).toEqual(entries);
  });

  it('documents its first line', () => {
    expect(JSON.parse(headerLine('x', 0))).toEqual({ format: 'stratadb-export', version: 1, database: 'x', exportedAt: '1970-01-01T00:00:00.000Z' });
  });

  const refuses = (file: string, line: number, message: RegExp) => {
    let error: unknown;
    try {
      parseExport(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExportFormatError);
    expect((error as ExportFormatError).line).toBe(line);
    expect((error as Error).message).toMatch(message);
  };

  it('refuses a file cut off before its end line', () => {
    const whole = fileOf([{ key: text('a'), value: text('1') }, { key: text('b'), value: text('2') }]);
    const cut = whole.split('\n').slice(0, 3).join('\n');
    refuses(cut, 3, /cut off/);
  });

  it('refuses an end line whose count disagrees', () => {
    const file = headerLine('d', 0) + entryLine(text('a'), text('1')) + trailerLine(2);
    refuses(file, 3, /counts 2 entries but the file has 1/);
  });

  it('refuses lines after the end line', () => {
    refuses(fileOf([]) + entryLine(text('a'), text('1')), 2, /not the last line/);
  });

  it('refuses other files, other versions, bad JSON, bad fields, oversized keys', () => {
    refuses('', 1, /empty/);
    refuses('{"format":"csv"}\n', 1, /not a StrataDB export/);
    refuses('{"format":"stratadb-export","version":2}\n', 1, /version 2 is not supported/);
    refuses('[1]\n', 1, /not a JSON object/);
    refuses(`${headerLine('d', 0)}{oops\n`, 2, /not JSON/);
    refuses(`${headerLine('d', 0)}{"k":"YQ=="}\n`, 2, /"v" must be a base64 string/);
    refuses(`${headerLine('d', 0)}{"k":"%%","v":""}\n`, 2, /"k" must be a base64 string/);
    refuses(`${headerLine('d', 0)}{"k":"${Buffer.alloc(64 * 1024 + 1).toString('base64')}","v":""}\n`, 2, /key must be at most/);
    refuses(headerLine('d', 0) + entryLine(text('b'), text('1')) + entryLine(text('a'), text('2')) + trailerLine(2), 3, /ascending order/);
    refuses(headerLine('d', 0) + entryLine(text('a'), text('1')) + entryLine(text('a'), text('2')) + trailerLine(2), 3, /ascending order/);
  });

  it('splits entries into batches by count and by bytes', () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({ key: text(`k${i}`), value: new Uint8Array(100) }));
    expect(batches(entries, 10).map((b) => b.length)).toEqual([10, 10, 5]);
    expect(batches(entries, 1000, 350).map((b) => b.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 1]);
    expect(batches([], 10)).toEqual([]);
    // One entry bigger than the byte bound still goes, alone.
    expect(batches([{ key: text('k'), value: new Uint8Array(1000) }], 10, 10).map((b) => b.length)).toEqual([1]);
  });

  it('carries a database through export and import unchanged', async () => {
    const runtime = await createRuntime();
    const options = { storage: 'memory', keyEncoding: 'binary', valueEncoding: 'binary', compaction: 'inline' } as const;
    const source = await runtime.open('export-source', options);
    for (let i = 0; i < 3000; i++) await source.put(text(`key:${String(i).padStart(6, '0')}`), bytes(i & 255, i >> 8, 0));
    await source.delete(text('key:000007'));
    await source.flush();
    let file = headerLine('export-source', 0);
    let n = 0;
    for (const { key, value } of source.iterator()) {
      file += entryLine(key, value);
      n++;
    }
    file += trailerLine(n);
    const parsed = parseExport(file);
    const target = await runtime.open('export-target', options);
    for (const batch of batches(parsed.entries, 500)) await target.batch(batch.map(({ key, value }) => ({ type: 'put' as const, key, value })));
    expect(target.scan()).toEqual(source.scan());
    expect(target.scan().length).toBe(2999);
    await source.close();
    await target.close();
  });
});
