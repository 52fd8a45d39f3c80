import { describe, expect, it } from 'vitest';
import { displayBytes, fromHex, printableText, quoteBytes, toHex, utf8 } from '../src/app/bytes-text.js';

const bytes = (...values: number[]) => new Uint8Array(values);

describe('bytes as text', () => {
  it('printable UTF-8 is text; invalid UTF-8 and control characters are not', () => {
    expect(printableText(utf8('héllo wörld ✓'))).toBe('héllo wörld ✓');
    expect(printableText(bytes(0xff, 0x41))).toBeUndefined();
    expect(printableText(utf8('a\nb'))).toBeUndefined();
    expect(printableText(bytes(0x7f))).toBeUndefined();
    expect(printableText(bytes())).toBe('');
  });

  it('hex round-trips and refuses what is not hex', () => {
    expect(toHex(bytes(0, 15, 16, 255))).toBe('000f10ff');
    expect(fromHex('00 0f 10 FF')).toEqual(bytes(0, 15, 16, 255));
    expect(fromHex('abc')).toBeUndefined();
    expect(fromHex('zz')).toBeUndefined();
    expect(fromHex('')).toEqual(bytes());
  });

  it('quotes only what needs quoting, escaping the rest as redis-cli does', () => {
    expect(quoteBytes(utf8('user:42'))).toBe('user:42');
    expect(quoteBytes(utf8('ключ'))).toBe('ключ');
    expect(quoteBytes(utf8('two words'))).toBe('"two words"');
    expect(quoteBytes(utf8('say "hi"\\'))).toBe('"say \\"hi\\"\\\\"');
    expect(quoteBytes(bytes(0, 0xff, 0x0a, 0x09))).toBe('"\\x00\\xff\\n\\t"');
    expect(quoteBytes(utf8('-'))).toBe('"-"');
    expect(quoteBytes(utf8('+'))).toBe('"+"');
    expect(quoteBytes(bytes())).toBe('""');
    // A valid multi-byte character stays, a broken one is escaped.
    expect(quoteBytes(new Uint8Array([...utf8('é'), 0xc3]))).toBe('"é\\xc3"');
  });

  it('shortens long values for table cells', () => {
    expect(displayBytes(utf8('x'.repeat(100)), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(displayBytes(bytes(1, 2), 80)).toBe('"\\x01\\x02"');
  });
});
