export { appBaseUrl, appTarget } from './app-origin.js'
export {
  BULK_DEFAULTS,
  BULK_OPTIONS,
  type BulkOptions,
  type BulkParts,
  resolveBulkOptions,
} from './bulk-options.js'
export { type Checkpoint, readCheckpoint } from './checkpoint.js'
export {
  DEPRECATE_EVENTS_OPTIONS,
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
  GDPR_CLIENT_OPTIONS,
  GdprApiError,
  GdprClient,
  type GdprClientOptions,
} from './gdpr-client.js'
export { importFile } from './import-file.js'
export {
  type FailedRow,
  IMPORT_FILE_OPTIONS,
  type ImportFileOptions,
  type ImportProgress,
  type ImportResult,
} from './import-types.js'
export {
  CLEANUP_OPTIONS,
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
  SYNC_PROFILES_OPTIONS,
  type SyncProfilesOptions,
  type SyncProfilesResult,
  type SyncProgress,
  syncProfiles,
  syncProfilesFromFile,
} from './sync-profiles.js'
