/**
 * `eventwire/bulk`: work on many records at once — historical import from files
 * ({@link importFile}), profiles kept a copy of a table ({@link syncProfiles}), clean-up of
 * profiles and groups, GDPR deletion requests ({@link GdprClient}) and event deprecation in
 * Lexicon. The `eventwire` CLI's `import`, `people`, `groups`, `gdpr` and `events` commands are
 * built on it. The App API parts (GDPR, Lexicon) live with Mixpanel's other App API clients.
 */
export {
  type DeletionStatus,
  type DeletionTask,
  type DeprecateEventsOptions,
  type DeprecateEventsResult,
  deprecateEvents,
  GdprApiError,
  GdprClient,
  type GdprClientOptions,
} from '../app-api/index.js'
export { BULK_DEFAULTS, type BulkOptions } from './bulk-options.js'
export { type Checkpoint, readCheckpoint } from './checkpoint.js'
export { contentInsertId, type EventMapping } from './event-mapping.js'
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
