import { describe, expect, it } from 'vitest';
import { compareBytes, keySpace } from '../src/model/key-space.js';

const b = (s: string) => new TextEncoder().encode(s);
const userKey = (i: number) => b(`user:${String(i).padStart(6, '0')}`);

describe('compareBytes', () => {
  it('orders like the engine: unsigned bytes, a prefix first', () => {
    expect(compareBytes(b('a'), b('b'))).toBeLessThan(0);
    expect(compareBytes(b('ab'), b('a'))).toBeGreaterThan(0);
    expect(compareBytes(Uint8Array.of(0x7f), Uint8Array.of(0x80))).toBeLessThan(0);
    expect(compareBytes(b('k'), b('k'))).toBe(0);
  });
});

describe('keySpace', () => {
  it('maps the smallest key to 0 and the largest to 1', () => {
    const space = keySpace(b('apple'), b('pear'));
    expect(space.position(b('apple'))).toBe(0);
    expect(space.position(b('pear'))).toBe(1);
  });

  it('clamps keys outside the range', () => {
    const space = keySpace(b('b'), b('y'));
    expect(space.position(b('a'))).toBe(0);
    expect(space.position(b(''))).toBe(0);
    expect(space.position(b('z'))).toBe(1);
    expect(space.position(b('yy'))).toBe(1);
  });

  it('preserves order over many keys, including prefixes of each other', () => {
    const keys = ['k', 'k\0', 'k\0\0a', 'ka', 'kaa', 'kab', 'kb', 'kz', 'kzz\xff', 'kzzz'].map(b);
    keys.push(Uint8Array.of(0x6b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    keys.sort(compareBytes);
    const space = keySpace(keys[0], keys[keys.length - 1]);
    const positions = keys.map((k) => space.position(k));
    for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThanOrEqual(positions[i - 1]!);
    expect(positions[0]).toBe(0);
    expect(positions[positions.length - 1]).toBe(1);
  });

  it('spreads keys that share a long prefix across the range', () => {
    const space = keySpace(userKey(0), userKey(999_999));
    expect([...space.prefix]).toEqual([...b('user:')]);
    // Read from the first byte these would all be at 0.46 (the 'u'); after
    // the prefix the digits spread out, roughly linearly.
    const middle = space.position(userKey(500_000));
    expect(middle).toBeGreaterThan(0.5);
    expect(middle).toBeLessThan(0.6);
    const quarter = space.position(userKey(250_000));
    expect(quarter).toBeGreaterThan(0.2);
    expect(quarter).toBeLessThan(0.3);
    // Neighbouring keys are distinct points, in order.
    expect(space.position(userKey(123_457))).toBeGreaterThan(space.position(userKey(123_456)));
  });

  it('uses the whole range when the common prefix is the smallest key itself', () => {
    // 'abc' is a prefix of 'abcz': after it, the smallest key has ended.
    const space = keySpace(b('abc'), b('abcz'));
    expect(space.position(b('abc'))).toBe(0);
    expect(space.position(b('abcm'))).toBeCloseTo(0.5, 9); // m is the 13th of end, a..z
    expect(space.position(b('abcz'))).toBe(1);
  });

  it('puts every key at 0 when there is only one', () => {
    const space = keySpace(b('only'), b('only'));
    expect(space.position(b('only'))).toBe(0);
    expect(space.position(b('a'))).toBe(0);
    expect(space.position(b('z'))).toBe(1);
  });

  it('reads past the common prefix even when it is long', () => {
    const low = b('p\0\0\0\0\0\0\0\x01');
    const high = b('p\0\0\0\0\0\0\0\x09');
    const space = keySpace(low, high);
    expect(space.position(low)).toBe(0);
    expect(space.position(b('p\0\0\0\0\0\0\0\x05'))).toBe(0.5);
    expect(space.position(high)).toBe(1);
  });

  it('reads binary keys in base 256', () => {
    const space = keySpace(Uint8Array.of(0x00), Uint8Array.of(0xff), [Uint8Array.of(0x00, 0x00), Uint8Array.of(0xff, 0xff)]);
    expect(space.position(Uint8Array.of(0x80))).toBeCloseTo(0x80 / 0xff, 9);
    // The second byte is a digit of 257: "ended" and the 256 bytes.
    expect(space.position(Uint8Array.of(0x10, 0x80))).toBeCloseTo((0x10 + 0x81 / 257) / 0xff, 9);
  });

  it('spreads decimal keys linearly where base 256 would crowd the ends', () => {
    const key = (i: number) => b(`key:${String(i).padStart(9, '0')}`);
    const samples = [0, 2_499, 2_500, 9_999, 10_000, 17_000, 19_999].map(key);
    const space = keySpace(key(0), key(19_999), samples);
    for (const i of [2_500, 5_000, 9_999, 10_000, 15_000]) expect(space.position(key(i))).toBeCloseTo(i / 19_999, 4);
  });

  it('keeps order for keys it never sampled', () => {
    // Keys from a small alphabet that covers digits, letters, the ends of
    // the byte range, and keys that are prefixes of others.
    const alphabet = [0x00, 0x2f, 0x30, 0x35, 0x39, 0x41, 0x61, 0x6d, 0x7a, 0x7b, 0xff];
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = Array.from({ length: 400 }, () =>
      Uint8Array.from([0x6b, ...Array.from({ length: random(7) }, () => alphabet[random(alphabet.length)]!)]),
    ).sort(compareBytes);
    const samples = keys.filter((_, i) => i % 37 === 0);
    const space = keySpace(keys[0], keys[keys.length - 1], samples);
    const positions = keys.map((k) => space.position(k));
    for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThanOrEqual(positions[i - 1]!);
    expect(positions[0]).toBe(0);
    expect(positions[positions.length - 1]).toBe(1);
  });
});
