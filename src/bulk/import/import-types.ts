import { type LoggerOption, optionList } from '../../internal/index.js'
import type { PlanInput, PlanPolicy } from '../../plan/index.js'
import { BULK_OPTIONS, type BulkOptions } from '../delivery/index.js'
import type { InputFormat } from '../input/index.js'
import type { EventMapping } from './event-mapping.js'

/** Options of {@link importFile}. */
export interface ImportFileOptions extends BulkOptions {
  /** Input format. @default from the file name and first byte (see `describeInput`) */
  format?: InputFormat
  /** How rows become events. @default Mixpanel-shaped `{ event, properties }` rows, or flat fields named `event`, `distinct_id`, `time` */
  mapping?: EventMapping
  /** CSV field separator, one character. @default ',' (tab for `.tsv`) */
  csvDelimiter?: string
  /** A tracking plan (file, document or loaded plan) every event is checked against. */
  plan?: PlanInput
  /**
   * What to do with events that break the plan. Dropped and rejected events go to the
   * failed-records file with the plan's issues as the reason.
   * @default 'reject'
   */
  planPolicy?: PlanPolicy
  /**
   * Checkpoint file recording the finished prefix of the input; `false` for none.
   * @default `<file>.checkpoint.json`
   */
  checkpoint?: string | false
  /** Where refused records are written, one JSON object per line. @default `<file>.failed.ndjson` */
  failedPath?: string
  /** Ignore an existing checkpoint and start from the beginning. @default false */
  restart?: boolean
  /** Read, map and check every record, but send nothing and write no files. @default false */
  dryRun?: boolean
  /**
   * Stops the import gracefully: no new batch starts, batches in flight get `drainTimeoutMs` to
   * finish (then they are aborted), and the checkpoint is left at the finished prefix.
   */
  signal?: AbortSignal
  /** After `signal` aborts, how long batches in flight may finish, in milliseconds. @default 10000 */
  drainTimeoutMs?: number
  /** Called after every chunk of input (about 1 MiB) with the counts so far. */
  onProgress?: (progress: ImportProgress) => void
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** The names of {@link ImportFileOptions}. */
export const IMPORT_FILE_OPTIONS = optionList<ImportFileOptions>()({
  ...BULK_OPTIONS,
  format: true,
  mapping: true,
  csvDelimiter: true,
  plan: true,
  planPolicy: true,
  checkpoint: true,
  failedPath: true,
  restart: true,
  dryRun: true,
  signal: true,
  drainTimeoutMs: true,
  onProgress: true,
  logger: true,
})

/** Defaults of {@link ImportFileOptions}. */
export const IMPORT_FILE_DEFAULTS = {
  planPolicy: 'reject' as PlanPolicy,
  restart: false,
  dryRun: false,
  drainTimeoutMs: 10_000,
} as const

/** Progress of a running import. Counts are for this run. */
export interface ImportProgress {
  /** Bytes of the file read so far (compressed bytes for gzip). */
  readonly fileBytes: number
  readonly sizeBytes: number
  readonly records: number
  readonly sent: number
  readonly failed: number
  readonly requests: number
  readonly retries: number
}

/** One refused record, as written to the failed-records file. */
export interface FailedRow {
  /** 1-based line of the record in the input. */
  readonly line: number
  /** Why it was refused. */
  readonly reason: string
  /** The field at fault, when known. */
  readonly field?: string
  /** `client` (refused before sending) or `server` (refused by `/import`). */
  readonly source: 'client' | 'server'
}

/** What {@link importFile} did. Counts without `total` are for this run. */
export interface ImportResult {
  readonly file: string
  readonly format: InputFormat
  readonly dryRun: boolean
  /** Records read in this run. */
  readonly records: number
  /** Records that passed the client-side checks (sent, or in a dry run: would be sent). */
  readonly valid: number
  /** Records acknowledged by the server. */
  readonly sent: number
  /** Records refused (client-side or by the server), written to the failed-records file. */
  readonly failed: number
  /** Where this run started: records and lines skipped thanks to the checkpoint. */
  readonly resumedAt: { readonly records: number; readonly line: number } | undefined
  /** Counts over every run of this checkpoint. */
  readonly total: { readonly records: number; readonly sent: number; readonly failed: number }
  /** Requests sent, retries included. */
  readonly requests: number
  /** Requests retried (after a 429, 5xx or network failure). */
  readonly retries: number
  /** The whole input has a final outcome (sent or refused). */
  readonly complete: boolean
  /** A checkpoint said the input was already imported; nothing was sent. */
  readonly alreadyComplete: boolean
  /** Stopped by `signal`. */
  readonly interrupted: boolean
  readonly checkpointPath: string | undefined
  /** The failed-records file, when it holds records. */
  readonly failedPath: string | undefined
  /** The first refused records (up to 20), for a quick look. */
  readonly failures: readonly FailedRow[]
  /** Why the import stopped early: a batch not delivered after its retries, or refused as a whole. */
  readonly error: { readonly code: string; readonly message: string } | undefined
  readonly elapsedMs: number
}
