// Exported by both stratadb/level entry points.
export {
  StrataWorkerLevel,
  type StrataLevelOptions,
  type StrataLevelThreadOptions,
  type StrataLevelWorkerOptions,
  type StrataOpenOptions,
} from './strata-level.js';
export { StrataLevelError } from './errors.js';
