import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, rmSync, statSync, truncateSync } from 'node:fs'
import type { DeliveryReport } from '../../consumers/index.js'
import { requestBytes } from '../../destinations/index.js'
import { ImportError } from '../../errors/index.js'
import { intOption } from '../../internal/index.js'
import type { JsonObject, Message } from '../../message/index.js'
import { createPlanEnforcer, loadPlan } from '../../plan/index.js'
import { OrderedWindow, resolveBulkOptions } from '../delivery/index.js'
import { describeInput, readRecords } from '../input/index.js'
import {
  type Checkpoint,
  checkCheckpoint,
  fingerprint,
  readCheckpoint,
  settingsHash,
  writeCheckpoint,
} from './checkpoint.js'
import { type ClientFailure, EventConverter, isClientFailure } from './event-converter.js'
import { stableStringify } from './event-mapping.js'
import {
  type FailedRow,
  IMPORT_FILE_DEFAULTS,
  IMPORT_FILE_OPTIONS,
  type ImportFileOptions,
  type ImportResult,
} from './import-types.js'

interface Batch {
  readonly messages: Message[]
  readonly lines: number[]
  readonly invalid: ClientFailure[]
  bytes: number
  /** Position after the batch's last record. */
  end: { offset: number; line: number; records: number }
}

interface Progress {
  offset: number
  line: number
  records: number
  sent: number
  failed: number
  failedBytes: number
}

const EMPTY_REPORT: DeliveryReport = { delivered: [], rejected: [], undelivered: [], error: undefined }
const MAX_FAILURE_SAMPLES = 20

/**
 * Imports historical events from an NDJSON, JSON-array or CSV file (gzip too) through `/import`,
 * streaming it with flat memory. Each record becomes a message through the client's
 * `MessageBuilder` with a deterministic `$insert_id` (from its content, unless it has one), so
 * importing the same file again creates no duplicates. Batches of up to 2000 events (and the
 * request byte limit) are gzipped and sent `concurrency` at a time with `strict=1`; 429 and 5xx
 * are retried with backoff. Refused records (before sending, or in `failed_records`) are written
 * to the failed-records file with their line and reason.
 *
 * Progress is kept in a checkpoint file: the byte offset after the longest prefix of the input
 * whose batches all finished. Running again with the same file and settings continues there
 * without re-sending finished batches; at most one window (`concurrency` batches) that was in
 * flight when a run died is sent again (and deduplicated by `$insert_id`).
 *
 * Never rejects for delivery problems: a batch that fails after its retries, or a request refused
 * as a whole (401, 403...), stops the import and is reported in `error`.
 *
 * @throws {ConfigError} for bad options; `EVENTWIRE_INPUT_UNREADABLE` when the file cannot be
 *   read; `EVENTWIRE_CHECKPOINT_MISMATCH` when the checkpoint belongs to another file or settings;
 *   `EVENTWIRE_INVALID_PLAN` for a bad plan.
 */
export async function importFile(path: string, options: ImportFileOptions): Promise<ImportResult> {
  const parts = resolveBulkOptions(options, IMPORT_FILE_OPTIONS, 'importFile')
  const clock = parts.clock
  const started = clock.now()
  const drainTimeoutMs = intOption(
    'drainTimeoutMs',
    options.drainTimeoutMs,
    IMPORT_FILE_DEFAULTS.drainTimeoutMs,
    0,
  )
  const dryRun = (options.dryRun ?? IMPORT_FILE_DEFAULTS.dryRun) === true
  const input = describeInput(path, options.format)
  const plan = options.plan === undefined ? undefined : loadPlan(options.plan)
  const policy = options.planPolicy ?? IMPORT_FILE_DEFAULTS.planPolicy
  const enforcer =
    plan === undefined ? undefined : createPlanEnforcer(plan, { policy, logger: options.logger })
  const converter = new EventConverter(parts.token, clock, options.mapping, enforcer)
  const checkpointPath =
    options.checkpoint === false ? undefined : (options.checkpoint ?? `${path}.checkpoint.json`)
  const failedPath = options.failedPath ?? `${path}.failed.ndjson`
  const settings = settingsHash({
    format: input.format,
    mapping: stableStringify(options.mapping ?? {}),
    delimiter: options.csvDelimiter ?? null,
    plan: plan === undefined ? null : sha(stableStringify(plan.document)),
    policy: plan === undefined ? null : stableStringify(policy),
    target: sha(
      `${options.apiHost ?? options.region ?? 'us'}|${parts.token}|${options.serviceAccount?.projectId ?? ''}`,
    ),
  })
  let retries = 0
  parts.delivery.on('retry', () => {
    retries++
  })
  const identity = fingerprint(input)
  let checkpoint: Checkpoint | undefined
  if (!dryRun && checkpointPath !== undefined && (options.restart ?? IMPORT_FILE_DEFAULTS.restart) !== true) {
    checkpoint = readCheckpoint(checkpointPath)
    if (checkpoint !== undefined) checkCheckpoint(checkpoint, checkpointPath, input, identity, settings)
  }
  const done: Progress = {
    offset: checkpoint?.offset ?? 0,
    line: checkpoint?.line ?? 0,
    records: checkpoint?.records ?? 0,
    sent: checkpoint?.sent ?? 0,
    failed: checkpoint?.failed ?? 0,
    failedBytes: checkpoint?.failedBytes ?? 0,
  }
  const base = { ...done }
  const result = {
    records: 0,
    valid: 0,
    sent: 0,
    failed: 0,
    failures: [] as FailedRow[],
    error: undefined as ImportResult['error'],
  }
  const finish = (complete: boolean, interrupted: boolean, alreadyComplete = false): ImportResult => ({
    file: path,
    format: input.format,
    dryRun,
    ...result,
    resumedAt: checkpoint === undefined ? undefined : { records: base.records, line: base.line },
    total: { records: done.records, sent: done.sent, failed: done.failed },
    requests: parts.delivery.requests,
    retries,
    complete,
    alreadyComplete,
    interrupted,
    checkpointPath: dryRun ? undefined : checkpointPath,
    failedPath: !dryRun && done.failedBytes > 0 ? failedPath : undefined,
    elapsedMs: clock.now() - started,
  })

  if (checkpoint?.complete && checkpoint.sizeBytes === identity.sizeBytes) {
    await parts.delivery.close()
    return finish(true, false, true)
  }
  if (!dryRun) prepareFailedFile(failedPath, done.failedBytes)
  let csvHeader = checkpoint?.csvHeader
  const save = (complete: boolean) => {
    if (dryRun || checkpointPath === undefined) return
    writeCheckpoint(checkpointPath, {
      version: 1,
      ...identity,
      settings,
      format: input.format,
      ...(csvHeader === undefined ? {} : { csvHeader }),
      ...done,
      complete,
      updatedAt: new Date(clock.now()).toISOString(),
    })
  }

  const hard = new AbortController()
  let drainTimer: { cancel(): void } | undefined
  const onAbort = () => {
    drainTimer = clock.setTimeout(() => hard.abort(), drainTimeoutMs)
  }
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })

  const window = new OrderedWindow<Batch, DeliveryReport>(
    parts.concurrency,
    (batch) =>
      dryRun || batch.messages.length === 0
        ? Promise.resolve(EMPTY_REPORT)
        : parts.delivery.deliver(batch.messages, hard.signal),
    (batch, report) => commit(batch, report),
  )

  const commit = (batch: Batch, report: DeliveryReport): boolean => {
    if (report.undelivered.length > 0) {
      if (!hard.signal.aborted)
        result.error = errorOf(report.error, 'a batch was not delivered after its retries')
      return false
    }
    const whole = report.rejected.find((r) => !(r.error instanceof ImportError) && r.reason !== 'too_large')
    if (whole !== undefined) {
      result.error = errorOf(whole.error, 'a request was refused')
      return false
    }
    const rows: Array<{ line: number; text: string; row: FailedRow }> = batch.invalid.map((f) => ({
      line: f.line,
      text: f.text,
      row: { line: f.line, reason: f.reason, source: 'client', ...(f.field ? { field: f.field } : {}) },
    }))
    if (report.rejected.length > 0) {
      const lineOf = new Map(batch.messages.map((m, i) => [m, batch.lines[i]!]))
      for (const { message, error } of report.rejected) {
        const record = error instanceof ImportError ? error.failedRecords[0] : undefined
        const line = lineOf.get(message) ?? 0
        const reason = record?.message ?? error.message
        const field = record?.field
        const entry: Record<string, unknown> = { line, source: 'server', reason }
        if (field !== undefined) entry.field = field
        entry.$insert_id = message.id
        entry.record = withoutToken(message.body)
        rows.push({
          line,
          text: `${JSON.stringify(entry)}\n`,
          row: { line, reason, source: 'server', ...(field ? { field } : {}) },
        })
      }
      rows.sort((a, b) => a.line - b.line)
    }
    if (rows.length > 0) {
      for (const r of rows) if (result.failures.length < MAX_FAILURE_SAMPLES) result.failures.push(r.row)
      if (!dryRun) {
        const text = rows.map((r) => r.text).join('')
        appendFileSync(failedPath, text)
        done.failedBytes += Buffer.byteLength(text)
      }
    }
    const failed = rows.length
    result.failed += failed
    result.sent += report.delivered.length
    done.sent += report.delivered.length
    done.failed += failed
    done.offset = batch.end.offset
    done.line = batch.end.line
    done.records = batch.end.records
    save(false)
    return true
  }

  const maxBytes = parts.delivery.destination.maxRequestBytes
  const framing = parts.delivery.destination.framing('imports')
  let position = { offset: done.offset, line: done.line, records: done.records }
  const newBatch = (): Batch => ({ messages: [], lines: [], invalid: [], bytes: 0, end: position })
  let batch = newBatch()
  let interrupted = false
  let fileBytes = 0
  const progress = () =>
    options.onProgress?.({
      fileBytes,
      sizeBytes: input.sizeBytes,
      records: result.records,
      sent: result.sent,
      failed: result.failed,
      requests: parts.delivery.requests,
      retries,
    })
  try {
    reading: for await (const chunk of readRecords(input, {
      startOffset: done.offset,
      startLine: done.line,
      csvHeader,
      csvDelimiter: options.csvDelimiter,
    })) {
      csvHeader = chunk.csvHeader
      for (const record of chunk.records) {
        if (options.signal?.aborted || window.stopped) {
          interrupted = options.signal?.aborted === true
          break reading
        }
        result.records++
        position = { offset: record.end, line: record.linesBefore, records: position.records + 1 }
        const converted = converter.convert(record)
        if (isClientFailure(converted)) {
          batch.invalid.push(converted)
          batch.end = position
          continue
        }
        result.valid++
        if (
          batch.messages.length >= parts.batchSize ||
          (batch.messages.length > 0 &&
            requestBytes(framing, batch.messages.length + 1, batch.bytes + converted.bytes) > maxBytes)
        ) {
          if (!(await window.submit(batch, options.signal))) {
            interrupted = options.signal?.aborted === true
            break reading
          }
          batch = newBatch()
        }
        batch.messages.push(converted)
        batch.lines.push(record.line)
        batch.bytes += converted.bytes
        batch.end = position
      }
      fileBytes = chunk.fileBytes
      progress()
    }
    if (!interrupted && !window.stopped && !(await window.submit(batch, options.signal))) {
      interrupted = options.signal?.aborted === true
    }
    await window.drain()
    // The batches in flight have finished: the last report is the result.
    progress()
  } catch (error) {
    // An unreadable input: abandon the batches in flight (the checkpoint keeps the finished prefix).
    hard.abort()
    await window.drain()
    throw error
  } finally {
    drainTimer?.cancel()
    options.signal?.removeEventListener('abort', onAbort)
    await parts.delivery.close()
  }
  const complete = !interrupted && !window.stopped && result.error === undefined
  if (complete) save(true)
  return finish(complete, !complete && result.error === undefined && options.signal?.aborted === true)
}

/** A fresh run starts a new failed-records file; a resumed run cuts it back to the checkpoint's size. */
function prepareFailedFile(path: string, bytes: number): void {
  if (!existsSync(path)) return
  if (bytes === 0) rmSync(path)
  else if (statSync(path).size > bytes) truncateSync(path, bytes)
}

function errorOf(
  error: { code: string; message: string } | undefined,
  fallback: string,
): ImportResult['error'] {
  return error === undefined
    ? { code: 'EVENTWIRE_DELIVERY_FAILED', message: fallback }
    : { code: error.code, message: error.message }
}

/** The event as sent, without the project token (the failed-records file is meant to be shared). */
function withoutToken(body: JsonObject): JsonObject {
  const properties = body.properties
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return body
  const { token: _token, ...rest } = properties
  return { ...body, properties: rest }
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32)
}
