// The dashboard's export file: JSON lines, UTF-8.
//
//   {"format":"stratadb-export","version":1,"database":"demo","exportedAt":"<ISO time>"}
//   {"k":"<base64 key>","v":"<base64 value>"}      one line per entry, in key order
//   {"end":true,"entries":<count>}
//
// The last line makes a cut-off file detectable: an import without it, or
// whose count disagrees, is refused before anything is written.
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from 'stratadb';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import { compareBytes } from './key-space.js';

export const EXPORT_FORMAT = 'stratadb-export';
export const EXPORT_VERSION = 1;

export interface ExportedEntry {
  key: Uint8Array;
  value: Uint8Array;
}

export interface ParsedExport {
  database: string;
  exportedAt: string;
  entries: ExportedEntry[];
}

export class ExportFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExportFormatError';
  }
}

export function headerLine(database: string, at: number): string {
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, database, exportedAt: new Date(at).toISOString() })}\n`;
}

export function entryLine(key: Uint8Array, value: Uint8Array): string {
  return `{"k":"${bytesToBase64(key)}","v":"${bytesToBase64(value)}"}\n`;
}

export function trailerLine(entries: number): string {
  return `${JSON.stringify({ end: true, entries })}\n`;
}

function parseLine(text: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportFormatError(line, 'is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExportFormatError(line, 'is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function bytesField(record: Record<string, unknown>, field: 'k' | 'v', line: number): Uint8Array {
  const text = record[field];
  const bytes = typeof text === 'string' ? base64ToBytes(text) : undefined;
  if (bytes === undefined) throw new ExportFormatError(line, `"${field}" must be a base64 string`);
  return bytes;
}

/** Reads a whole export file, checking every line; throws ExportFormatError. */
export function parseExport(text: string): ParsedExport {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new ExportFormatError(1, 'the file is empty');
  const header = parseLine(lines[0]!, 1);
  if (header.format !== EXPORT_FORMAT) throw new ExportFormatError(1, `not a StrataDB export (format is not "${EXPORT_FORMAT}")`);
  if (header.version !== EXPORT_VERSION) throw new ExportFormatError(1, `version ${String(header.version)} is not supported (this dashboard reads ${EXPORT_VERSION})`);
  const database = typeof header.database === 'string' ? header.database : '';
  const exportedAt = typeof header.exportedAt === 'string' ? header.exportedAt : '';
  const entries: ExportedEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const record = parseLine(lines[i]!, n);
    if (record.end === true) {
      if (i !== lines.length - 1) throw new ExportFormatError(n, 'the end line is not the last line');
      if (record.entries !== entries.length) {
        throw new ExportFormatError(n, `the end line counts ${String(record.entries)} entries but the file has ${entries.length}`);
      }
      return { database, exportedAt, entries };
    }
    const key = bytesField(record, 'k', n);
    const value = bytesField(record, 'v', n);
    if (key.length > MAX_KEY_BYTES) throw new ExportFormatError(n, `a key must be at most ${MAX_KEY_BYTES} bytes`);
    if (value.length > MAX_VALUE_BYTES) throw new ExportFormatError(n, `a value must be at most ${MAX_VALUE_BYTES} bytes`);
    const previous = entries[entries.length - 1];
    if (previous && compareBytes(previous.key, key) >= 0) throw new ExportFormatError(n, 'keys must be in ascending order, each once');
    entries.push({ key, value });
  }
  throw new ExportFormatError(lines.length, 'the file ends without its end line: it was cut off');
}

/** Splits entries into batches of at most `maxOps` operations and about `maxBytes` bytes. */
export function batches(entries: readonly ExportedEntry[], maxOps = 1000, maxBytes = 4 * 1024 * 1024): ExportedEntry[][] {
  const out: ExportedEntry[][] = [];
  let current: ExportedEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.key.length + entry.value.length;
    if (current.length > 0 && (current.length >= maxOps || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
