// Keys and values are bytes (DESIGN.md decision 6). The dashboard writes
// them as text, with redis-cli's escapes for the rest, and shows them as
// text when they are printable UTF-8, otherwise escaped or in hex.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const utf8 = (s: string): Uint8Array => encoder.encode(s);

/** The UTF-8 text of `bytes` if it is valid and has no control characters. */
export function printableText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? undefined : text;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Bytes from hex digits (whitespace ignored); undefined if it is not hex. */
export function fromHex(hex: string): Uint8Array | undefined {
  const digits = hex.replace(/\s+/g, '');
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return undefined;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The console's form of bytes, which its parser reads back: bare when
 * printable without spaces or quotes, else double-quoted with \xHH, \n, \t,
 * \" and \\ escapes (as redis-cli prints them).
 */
export function quoteBytes(bytes: Uint8Array): string {
  const text = printableText(bytes);
  if (text !== undefined && text.length > 0 && !/[\s"'\\;]/.test(text) && text !== '-' && text !== '+') return text;
  let out = '"';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0d) out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else {
      // A whole printable UTF-8 sequence stays as its character.
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      const char = len > 1 ? printableText(bytes.subarray(i, i + len)) : undefined;
      if (char !== undefined && [...char].length === 1) {
        out += char;
        i += len;
        continue;
      }
      out += `\\x${b.toString(16).padStart(2, '0')}`;
    }
    i++;
  }
  return `${out}"`;
}

/** Text for a table cell: printable text as is, else the quoted form. */
export function displayBytes(bytes: Uint8Array, maxChars = 80): string {
  const shown = printableText(bytes) ?? quoteBytes(bytes);
  return shown.length > maxChars ? `${shown.slice(0, maxChars - 1)}…` : shown;
}
