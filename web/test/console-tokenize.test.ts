import { describe, expect, it } from 'vitest';
import { quoteBytes, utf8 } from '../src/app/bytes-text.js';
import { InputError, tokenize, type Token } from '../src/console/tokenize.js';

/** Tokens as readable values: words as [text-of-bytes-or-bytes, quoted], separators as ';'. */
function summary(tokens: Token[]): unknown[] {
  return tokens.map((t) => (t.type === 'separator' ? ';' : [Array.from(t.bytes), t.quoted]));
}
const w = (s: string | number[], quoted = false): unknown => [typeof s === 'string' ? Array.from(utf8(s)) : s, quoted];

describe('tokenize', () => {
  it.each<[string, string, unknown[]]>([
    ['bare words', 'PUT user:1 alice', [w('PUT'), w('user:1'), w('alice')]],
    ['runs of spaces and tabs', '  GET \t k  ', [w('GET'), w('k')]],
    ['an empty line', '', []],
    ['double quotes keep spaces', 'PUT k "two words"', [w('PUT'), w('k'), w('two words', true)]],
    ['an empty quoted word', 'PUT "" v', [w('PUT'), w('', true), w('v')]],
    ['\\x escapes are bytes', '"\\x00\\xff\\xAb"', [w([0, 255, 0xab], true)]],
    ['named escapes', '"a\\nb\\tc\\rd\\"e\\\\f"', [w('a\nb\tc\rd"e\\f', true)]],
    ['UTF-8 text in quotes', '"héllo 🌍"', [w('héllo 🌍', true)]],
    ['UTF-8 text bare', 'clé', [w('clé')]],
    ['single quotes are literal', "'a\\nb \"c\"'", [w('a\\nb "c"', true)]],
    ["\\' in single quotes", "'it\\'s'", [w("it's", true)]],
    ['; separates', 'BATCH PUT a 1; DEL b', [w('BATCH'), w('PUT'), w('a'), w('1'), ';', w('DEL'), w('b')]],
    ['; ends a bare word', 'PUT a 1;DEL b', [w('PUT'), w('a'), w('1'), ';', w('DEL'), w('b')]],
    ['; after a quote', '"a";"b"', [w('a', true), ';', w('b', true)]],
    ['; inside quotes is text', '"a;b"', [w('a;b', true)]],
    ['quoted - stays quoted', '"-" - "+" +', [w('-', true), w('-'), w('+', true), w('+')]],
  ])('%s', (_, line, expected) => {
    expect(summary(tokenize(line))).toEqual(expected);
  });

  it('gives the text and column of each word', () => {
    const [a, b] = tokenize('get  "k\\x41"');
    expect(a).toMatchObject({ type: 'word', text: 'get', column: 1, quoted: false });
    expect(b).toMatchObject({ type: 'word', text: 'kA', column: 6, quoted: true });
  });

  it.each<[string, string, RegExp]>([
    ['unterminated double quote', 'PUT k "abc', /unterminated " quote from column 7/],
    ['unterminated single quote', "PUT k 'abc", /unterminated ' quote from column 7/],
    ['a backslash ending the line', 'PUT k "abc\\', /unterminated " quote/],
    ['an escaped closing quote', 'PUT k "abc\\"', /unterminated " quote/],
    ['an unknown escape', '"a\\qb"', /unknown escape \\q at column 3: use \\xHH/],
    ['\\x without digits', '"\\xg0"', /\\x at column 2 needs two hex digits/],
    ['\\x with one digit', '"\\x4"', /needs two hex digits/],
    ['a quote inside a bare word', "PUT name O'Brien", /a ' inside a word at column 11: quote the whole word, as "O'Brien"/],
    ['a double quote inside a bare word', 'ab"c', /quote the whole word, as 'ab"c'/],
    ['text right after a closing quote', '"a"b', /closing " at column 3 must be followed by a space/],
    ['two quoted words touching', '"a""b"', /must be followed by a space/],
    ['a lone surrogate', 'GET \ud800x', /column 5 holds half a character/],
  ])('refuses %s', (_, line, message) => {
    expect(() => tokenize(line)).toThrow(InputError);
    expect(() => tokenize(line)).toThrow(message);
  });

  describe('reads back what quoteBytes writes', () => {
    const cases: [string, Uint8Array][] = [
      ['plain text', utf8('user:42')],
      ['spaces', utf8('two words')],
      ['quotes and backslashes', utf8('say "hi" \\ it\'s')],
      ['control characters', Uint8Array.from([0, 1, 9, 10, 13, 27, 127])],
      ['every byte', Uint8Array.from({ length: 256 }, (_, i) => i)],
      ['invalid UTF-8', Uint8Array.from([0xc3, 0x28, 0xe2, 0x82])],
      ['UTF-8 text', utf8('naïve café ✓ 🌍')],
      ['a semicolon', utf8('a;b')],
      ['the bound markers', utf8('-')],
      ['plus', utf8('+')],
      ['empty', new Uint8Array(0)],
    ];
    it.each(cases)('%s', (_, bytes) => {
      const tokens = tokenize(quoteBytes(bytes));
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.type === 'word' && Array.from(tokens[0]!.bytes)).toEqual(Array.from(bytes));
    });

    it('random byte strings', () => {
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let n = 0; n < 500; n++) {
        const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 24) }, () => Math.floor(random() * 256));
        const [token] = tokenize(`GET ${quoteBytes(bytes)}`).slice(1);
        expect(token?.type === 'word' && Array.from(token.bytes)).toEqual(Array.from(bytes));
      }
    });
  });
});
