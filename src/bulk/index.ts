export { GdprApiError } from '../errors/index.js'
/**
 * `eventwire/bulk`: work on many records at once — historical import from files
 * ({@link importFile}), profiles kept a copy of a table ({@link syncProfiles}), clean-up of
 * profiles and groups, GDPR deletion requests ({@link GdprClient}) and event deprecation in
 * Lexicon. The `eventwire` CLI's `import`, `people`, `groups`, `gdpr` and `events` commands are
 * built on it.
 */
export { BULK_DEFAULTS, type BulkOptions } from './bulk-options.js'
export { type Checkpoint, readCheckpoint } from './checkpoint.js'
export {
  type DeprecateEventsOptions,
  type DeprecateEventsResult,
  deprecateEvents,
} from './deprecate-events.js'
export { contentInsertId, type EventMapping } from './event-mapping.js'
export {
  type DeletionStatus,
  type DeletionTask,
  GdprClient,
  type GdprClientOptions,
} from './gdpr-client.js'
export { importFile } from './import-file.js'
export type {
  FailedRow,
  ImportFileOptions,
  ImportProgress,
  ImportResult,
} from './import-types.js'
export {
  type CleanupOptions,
  type CleanupResult,
  deleteGroupProfiles,
  deleteProfiles,
  unsetProfileProperties,
} from './profile-cleanup.js'
export type { ProfileRow } from './profile-diff.js'
export { type ReadIdsOptions, readIds } from './read-ids.js'
export type { InputFormat } from './record-source.js'
export {
  type ProfileChange,
  type SyncProfilesOptions,
  type SyncProfilesResult,
  type SyncProgress,
  syncProfiles,
  syncProfilesFromFile,
} from './sync-profiles.js'
