/** Profiles in bulk: kept a copy of a table (sync), and cleaned up (delete, unset). */
export {
  type CleanupOptions,
  type CleanupResult,
  deleteGroupProfiles,
  deleteProfiles,
  unsetProfileProperties,
} from './profile-cleanup.js'
export type { ProfileRow } from './profile-diff.js'
export {
  type ProfileChange,
  type SyncProfilesOptions,
  type SyncProfilesResult,
  type SyncProgress,
  syncProfiles,
  syncProfilesFromFile,
} from './sync-profiles.js'
