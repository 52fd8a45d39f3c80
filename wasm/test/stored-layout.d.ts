// Types of stored-layout.js (shared with the browser test pages).
export interface ManifestContents {
  logNumber: number;
  tables: { number: number; size: number }[];
}
export function readManifest(bytes: Uint8Array): ManifestContents;

export interface StoredLayout {
  /** Empty when the store holds exactly what the manifest names. */
  problems: string[];
  tables: number;
  wal: number;
  bytes: number;
}
/** files: name (relative to the database's directory) -> stored contents. */
export function checkStoredLayout(files: Map<string, Uint8Array>): StoredLayout;
