// The engine's events as the binding queues them (JSON lines, format in
// wasm/binding/event_queue.h), turned into StrataEvents: keys from hex to
// bytes, error codes from the engine's numbers to StrataError codes.
import { engineError } from './errors.js';
import type { EventError, StrataEvent, TableInfo } from './events.js';
import { type HexKeyRange, keyRangeFromHex } from './stats.js';

type RawTable = HexKeyRange<TableInfo>;
type RawError = { code: number; message: string } | null;

const table = (raw: RawTable): TableInfo => keyRangeFromHex<TableInfo>(raw);

function error(raw: RawError): EventError | null {
  if (raw === null) return null;
  const e = engineError(raw.code, raw.message);
  return { code: e.code, message: e.message };
}

/**
 * One event per line of `lines`. A 'background-error' line becomes an
 * 'error' event: the handle that reports it turns read-only.
 */
export function parseEngineEvents(lines: string): StrataEvent[] {
  const events: StrataEvent[] = [];
  for (const line of lines.split('\n')) {
    if (line === '') continue;
    // Each line is one of the shapes event_queue.h lists.
    const raw = JSON.parse(line) as Record<string, unknown> & { type: string };
    if (raw.error !== undefined) raw.error = error(raw.error as RawError);
    if (raw.output) raw.output = table(raw.output as RawTable);
    if (raw.table) raw.table = table(raw.table as RawTable);
    if (raw.inputs) raw.inputs = (raw.inputs as RawTable[]).map(table);
    if (raw.outputs) raw.outputs = (raw.outputs as RawTable[]).map(table);
    if (raw.type === 'background-error') {
      const e = raw.error as EventError;
      events.push({ type: 'error', code: e.code, message: e.message });
      continue;
    }
    events.push(raw as unknown as StrataEvent);
  }
  return events;
}
