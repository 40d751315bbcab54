export { appBaseUrl, appTarget } from './app-origin.js'
export { BULK_DEFAULTS, type BulkOptions, type BulkParts, resolveBulkOptions } from './bulk-options.js'
export { type Checkpoint, readCheckpoint } from './checkpoint.js'
export {
  type DeprecateEventsOptions,
  type DeprecateEventsResult,
  deprecateEvents,
} from './deprecate-events.js'
export {
  contentInsertId,
  type EventMapping,
  type MappedEvent,
  mapRecord,
  parseTime,
  resolveMapping,
  stableStringify,
} from './event-mapping.js'
export {
  type DeletionStatus,
  type DeletionTask,
  GdprApiError,
  GdprClient,
  type GdprClientOptions,
} from './gdpr-client.js'
export { importFile } from './import-file.js'
export type { FailedRow, ImportFileOptions, ImportProgress, ImportResult } from './import-types.js'
export {
  type CleanupOptions,
  type CleanupResult,
  deleteGroupProfiles,
  deleteProfiles,
  unsetProfileProperties,
} from './profile-cleanup.js'
export { diffProperties, normalizeRow, type ProfileRow } from './profile-diff.js'
export { type ReadIdsOptions, readIds } from './read-ids.js'
export {
  describeInput,
  type InputFormat,
  type InputInfo,
  type ReadRecordsOptions,
  type RecordChunk,
  readRecords,
  type SourceRecord,
} from './record-source.js'
export {
  type ProfileChange,
  type SyncProfilesOptions,
  type SyncProfilesResult,
  type SyncProgress,
  syncProfiles,
  syncProfilesFromFile,
} from './sync-profiles.js'
