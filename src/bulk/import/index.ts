/** Historical event import from files: mapping, conversion, checkpoints and the import itself. */
export { type Checkpoint, readCheckpoint } from './checkpoint.js'
export { contentInsertId, type EventMapping, stableStringify } from './event-mapping.js'
export { importFile } from './import-file.js'
export type { FailedRow, ImportFileOptions, ImportProgress, ImportResult } from './import-types.js'
