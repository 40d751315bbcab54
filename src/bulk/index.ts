/**
 * `eventwire/bulk`: work on many records at once — historical import from files
 * ({@link importFile}), profiles kept a copy of a table ({@link syncProfiles}), clean-up of
 * profiles and groups, GDPR deletion requests ({@link GdprClient}) and event deprecation in
 * Lexicon. The `eventwire` CLI's `import`, `people`, `groups`, `gdpr` and `events` commands are
 * built on it. Its parts: `input/` (file and id readers), `import/` (event import), `profiles/`
 * (sync and clean-up) and `delivery/` (options and engine they share); GDPR and Lexicon calls are
 * Mixpanel App API clients, re-exported from the module that holds them all.
 */
export {
  type DeletionStatus,
  type DeletionTask,
  type DeprecateEventsOptions,
  type DeprecateEventsResult,
  deprecateEvents,
  GdprClient,
  type GdprClientOptions,
} from '../app-api/index.js'
export { GdprApiError } from '../errors/index.js'
export { BULK_DEFAULTS, type BulkOptions } from './delivery/index.js'
export {
  type Checkpoint,
  contentInsertId,
  type EventMapping,
  type FailedRow,
  type ImportFileOptions,
  type ImportProgress,
  type ImportResult,
  importFile,
  readCheckpoint,
} from './import/index.js'
export { type InputFormat, type ReadIdsOptions, readIds } from './input/index.js'
export {
  type CleanupOptions,
  type CleanupResult,
  deleteGroupProfiles,
  deleteProfiles,
  type ProfileChange,
  type ProfileRow,
  type SyncProfilesOptions,
  type SyncProfilesResult,
  type SyncProgress,
  syncProfiles,
  syncProfilesFromFile,
  unsetProfileProperties,
} from './profiles/index.js'
