// What a stored database must hold, read from the stored files themselves:
// CURRENT, the manifest segment it names, exactly the tables that manifest
// lists (each of the size it records), and WAL segments at or above its log
// number; nothing else. Plain JavaScript, so that the Vitest suites and the
// browser test pages share it (stored-layout.d.ts types it).
//
// Formats: engine/src/version/manifest_format.md (a manifest segment is one
// log record, framed as engine/src/wal/log_format.md describes, holding a
// pb::VersionEdit of proto/manifest.proto).

const BLOCK = 32768;
const HEADER = 7;

/** The payload of the one logical record a manifest segment holds. */
function manifestRecord(bytes) {
  const parts = [];
  for (let at = 0; at + HEADER <= bytes.length; ) {
    const length = bytes[at + 4] | (bytes[at + 5] << 8);
    const type = bytes[at + 6];
    parts.push(bytes.subarray(at + HEADER, at + HEADER + length));
    at += HEADER + length;
    if (type === 1 || type === 4) break; // FULL or LAST
    if (BLOCK - (at % BLOCK) < HEADER) at += BLOCK - (at % BLOCK); // trailer
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Protobuf fields of a message: [field number, varint value | bytes]. */
function* fields(bytes) {
  let at = 0;
  const varint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[at++];
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const wire = tag & 7;
    if (wire === 0) yield [tag >> 3, varint()];
    else if (wire === 2) {
      const length = Number(varint());
      yield [tag >> 3, bytes.subarray(at, at + length)];
      at += length;
    } else throw new Error(`manifest: unexpected wire type ${wire}`);
  }
}

/** The log number and the tables ({ number, size }) a manifest segment names. */
export function readManifest(bytes) {
  let logNumber = 0;
  const tables = [];
  for (const [field, value] of fields(manifestRecord(bytes))) {
    if (field === 2) logNumber = Number(value);
    if (field === 6) {
      const table = { number: 0, size: 0 };
      for (const [f, v] of fields(value)) {
        if (f === 2) table.number = Number(v);
        if (f === 3) table.size = Number(v);
      }
      tables.push(table);
    }
  }
  return { logNumber, tables };
}

const pad = (n) => String(n).padStart(6, '0');

/**
 * Compares the stored files of one database (name -> contents, names
 * relative to its directory) with what its manifest says must be there.
 * Returns the problems found (empty when the store is exactly right) and
 * the counts of what is stored.
 */
export function checkStoredLayout(files) {
  const problems = [];
  const current = files.get('CURRENT');
  if (!current) return { problems: ['no CURRENT stored'], tables: 0, wal: 0, bytes: 0 };
  const manifestName = new TextDecoder().decode(current).trim();
  const manifest = files.get(manifestName);
  if (!manifest) return { problems: [`CURRENT names ${manifestName}, which is not stored`], tables: 0, wal: 0, bytes: 0 };
  const { logNumber, tables } = readManifest(manifest);
  const expected = new Set(['CURRENT', manifestName]);
  for (const { number, size } of tables) {
    const name = `${pad(number)}.sst`;
    expected.add(name);
    const stored = files.get(name);
    if (!stored) problems.push(`${name} is in the manifest but not stored`);
    else if (stored.length !== size) problems.push(`${name} is ${stored.length} bytes, the manifest says ${size}`);
  }
  let wal = 0;
  let bytes = 0;
  for (const [name, contents] of files) {
    bytes += contents.length;
    if (name.endsWith('.wal') && Number(name.slice(0, -4)) >= logNumber) {
      wal++;
      continue;
    }
    if (!expected.has(name)) problems.push(`${name} (${contents.length} bytes) is stored but not referenced`);
  }
  return { problems, tables: tables.length, wal, bytes };
}
