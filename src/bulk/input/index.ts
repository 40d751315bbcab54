/** Input readers of bulk work: NDJSON, JSON arrays and CSV files (gzipped or not), and id lists. */
export { type ReadIdsOptions, readIds } from './read-ids.js'
export {
  describeInput,
  type InputFormat,
  type InputInfo,
  readRecords,
  type SourceRecord,
} from './record-source.js'
