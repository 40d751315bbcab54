import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { MessageBuilder } from '../../client/index.js'
import type { EventConsumer } from '../../consumers/index.js'
import { BulkError, ConfigError, isEventwireError } from '../../errors/index.js'
import { checkOptions, optionList } from '../../internal/index.js'
import type { JsonObject, Message } from '../../message/index.js'
import { BULK_OPTIONS, type BulkOptions, resolveBulkOptions } from '../delivery/index.js'
import { describeInput, type InputFormat, readRecords } from '../input/index.js'
import { type MessageOutcome, ProfileBatcher } from './profile-batches.js'
import { diffProperties, normalizeRow, type ProfileRow } from './profile-diff.js'
import { ProfileState } from './profile-state.js'

/** One planned profile update. */
export interface ProfileChange {
  readonly id: string
  readonly operation: '$set' | '$unset' | '$delete'
  /** Properties for `$set`, names for `$unset`, null for `$delete`. */
  readonly value: JsonObject | string[] | null
}

/** Options of {@link syncProfiles}. */
export interface SyncProfilesOptions extends BulkOptions {
  /** The SQLite file holding the last acknowledged state of every profile; created when missing. */
  statePath: string
  /** Field of each row holding the distinct id. The other fields are the profile's properties. @default 'distinct_id' */
  idField?: string
  /**
   * Send `$delete` for profiles in the state file that are not in this input (users gone from
   * the application). Refused for an input without rows.
   * @default false
   */
  deleteMissing?: boolean
  /** Compute and report the changes (`onChange`), send nothing, write no state. @default false */
  dryRun?: boolean
  /**
   * Hand updates to this consumer (for example an `EnqueueConsumer` over a `RedisEventStore`,
   * drained by `eventwire worker`) instead of sending them directly; an update counts as
   * acknowledged when `send()` resolves for it.
   */
  consumer?: EventConsumer
  /** Called with every planned update, before it is sent. */
  onChange?: (change: ProfileChange) => void
  /** Called every 500 rows with the counts so far. */
  onProgress?: (progress: SyncProgress) => void
  /** Stops reading rows; updates in flight finish and are recorded. */
  signal?: AbortSignal
}

/** The names of {@link SyncProfilesOptions}. */
export const SYNC_PROFILES_OPTIONS = optionList<SyncProfilesOptions>()({
  ...BULK_OPTIONS,
  statePath: true,
  idField: true,
  deleteMissing: true,
  dryRun: true,
  consumer: true,
  onChange: true,
  onProgress: true,
  signal: true,
})

/** The names of the options of {@link syncProfilesFromFile}. */
const SYNC_FILE_OPTIONS = { ...SYNC_PROFILES_OPTIONS, format: true, csvDelimiter: true } as const

/** Options that would configure delivery a `consumer` does instead (`apiHost` and `region` still name the state's scope; `batchSize` and `concurrency` still shape the batches handed to it). */
const NOT_WITH_CONSUMER = Object.keys(BULK_OPTIONS).filter(
  (key) => !['token', 'apiHost', 'region', 'clock', 'logger', 'batchSize', 'concurrency'].includes(key),
)

/** Counts of a running or finished sync. */
export interface SyncProgress {
  readonly rows: number
  readonly set: number
  readonly unset: number
  readonly deleted: number
  readonly failed: number
  /** Bytes of the input file read so far (file sync only). */
  readonly fileBytes?: number
}

/** What {@link syncProfiles} did. */
export interface SyncProfilesResult extends SyncProgress {
  readonly dryRun: boolean
  /** Rows whose profile already matched the state: nothing sent. */
  readonly unchanged: number
  /** Rows for profiles never synced before. */
  readonly created: number
  /** Rows refused before sending (no id, not an object, a duplicate id, unreadable). */
  readonly invalid: number
  readonly requests: number
  /** Whether every update was acknowledged and every row was valid. */
  readonly ok: boolean
  readonly interrupted: boolean
  /** The first problems (up to 20), for a quick look. */
  readonly problems: ReadonlyArray<{ readonly id?: string; readonly line?: number; readonly reason: string }>
  readonly statePath: string
  readonly elapsedMs: number
}

interface SourceRow {
  readonly value?: unknown
  readonly error?: string
  readonly line?: number
  readonly fileBytes?: number
}

interface PendingRow {
  readonly id: string
  readonly base: JsonObject
  readonly set: JsonObject | undefined
  readonly unset: string[] | undefined
  outstanding: number
  setOk: boolean
  unsetOk: boolean
  failed: boolean
}

const GROUP = 500
const MAX_PROBLEMS = 20

/**
 * Keeps Mixpanel user profiles a read-only copy of application state: each row (an id field and
 * properties) is compared with the last state acknowledged for that profile, kept in a local
 * SQLite file, and only the difference is sent — `$set` of new and changed properties, `$unset` of
 * removed ones, and with `deleteMissing` a `$delete` for profiles no longer in the input. Every
 * update carries `$ip: 0` and `$ignore_time: true`. The state file is updated only for
 * acknowledged updates, so running again with unchanged input sends nothing, and after a failure
 * the next run sends what is missing. A null property value counts as absent.
 *
 * @throws {ConfigError} for bad options; `EVENTWIRE_STORE_DEPENDENCY_MISSING` without
 *   better-sqlite3; `EVENTWIRE_UNSAFE_DELETE` for `deleteMissing` with no rows.
 */
export function syncProfiles(
  rows: Iterable<ProfileRow> | AsyncIterable<ProfileRow>,
  options: SyncProfilesOptions,
): Promise<SyncProfilesResult> {
  return runSync(wrapRows(rows), options, SYNC_PROFILES_OPTIONS, 'syncProfiles')
}

/** {@link syncProfiles} over the rows of an NDJSON, JSON-array or CSV file (gzip too), streamed. */
export function syncProfilesFromFile(
  path: string,
  options: SyncProfilesOptions & { format?: InputFormat; csvDelimiter?: string },
): Promise<SyncProfilesResult> {
  return (async () => {
    checkOptions(options, SYNC_FILE_OPTIONS, 'syncProfilesFromFile', { required: true })
    const input = describeInput(path, options.format)
    return runSync(fileRows(input, options.csvDelimiter), options, SYNC_FILE_OPTIONS, 'syncProfilesFromFile')
  })()
}

async function* wrapRows(rows: Iterable<ProfileRow> | AsyncIterable<ProfileRow>): AsyncGenerator<SourceRow> {
  for await (const value of rows) yield { value }
}

async function* fileRows(input: ReturnType<typeof describeInput>, csvDelimiter: string | undefined) {
  for await (const chunk of readRecords(input, { csvDelimiter })) {
    for (const r of chunk.records)
      yield { value: r.value, error: r.error, line: r.line, fileBytes: chunk.fileBytes }
  }
}

async function runSync(
  source: AsyncIterable<SourceRow>,
  options: SyncProfilesOptions,
  names: Readonly<Record<string, true>>,
  owner: string,
): Promise<SyncProfilesResult> {
  const parts = resolveBulkOptions(options, names, owner)
  if (options.consumer !== undefined) {
    const conflict = NOT_WITH_CONSUMER.find(
      (key) => (options as unknown as Record<string, unknown>)[key] !== undefined,
    )
    if (conflict !== undefined) {
      await parts.delivery.close()
      throw new ConfigError(
        conflict,
        `cannot be combined with "consumer": the consumer delivers the updates, so give "${conflict}" to it`,
      )
    }
  }
  const clock = parts.clock
  const started = clock.now()
  const idField = options.idField ?? 'distinct_id'
  const dryRun = options.dryRun === true
  const builder = new MessageBuilder(parts.token, clock, { ip: 0, ignoreTime: true }, () => {})
  const scope = createHash('sha256')
    .update(`${options.apiHost ?? options.region ?? 'us'}|${parts.token}`)
    .digest('hex')
    .slice(0, 16)
  // A dry run must not create a state file: without one it diffs against an empty, in-memory state.
  const statePath = dryRun && !existsSync(options.statePath) ? ':memory:' : options.statePath
  const state = await ProfileState.open(statePath, scope)
  const counts = { rows: 0, set: 0, unset: 0, deleted: 0, failed: 0, unchanged: 0, created: 0, invalid: 0 }
  const problems: Array<{ id?: string; line?: number; reason: string }> = []
  const problem = (p: { id?: string; line?: number; reason: string }) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p)
  }
  const pending = new Map<
    Message,
    { row: PendingRow; op: '$set' | '$unset' } | { id: string; op: '$delete' }
  >()

  const onOutcomes = (outcomes: readonly MessageOutcome[]) => {
    if (dryRun) {
      for (const { message } of outcomes) pending.delete(message)
      return
    }
    state.transaction(() => {
      for (const { message, ok, reason } of outcomes) {
        const entry = pending.get(message)
        if (entry === undefined) continue
        pending.delete(message)
        if (entry.op === '$delete') {
          if (ok) state.remove(entry.id)
          else {
            counts.failed++
            problem({ id: entry.id, reason: `$delete: ${reason}` })
          }
          continue
        }
        const row = entry.row
        if (entry.op === '$set') row.setOk = ok
        else row.unsetOk = ok
        if (!ok && !row.failed) {
          row.failed = true
          counts.failed++
          problem({ id: row.id, reason: `${entry.op}: ${reason}` })
        }
        if (--row.outstanding === 0) state.put(row.id, applied(row), clock.now())
      }
    })
  }
  const batcher = new ProfileBatcher(parts, 'people', onOutcomes, {
    consumer: options.consumer,
    dryRun,
  })
  const emit = async (message: Message, change: ProfileChange) => {
    options.onChange?.(change)
    await batcher.add(message)
  }

  let interrupted = false
  let fileBytes: number | undefined
  try {
    let group: SourceRow[] = []
    const processGroup = async () => {
      const planned = state.transaction(() => group.map((row) => plan(row)))
      group = []
      for (const p of planned) {
        if (p === undefined) continue
        let setMessage: Message | undefined
        let unsetMessage: Message | undefined
        try {
          if (p.set !== undefined) setMessage = builder.people('people.set', p.id, '$set', p.set, undefined)
          if (p.unset !== undefined)
            unsetMessage = builder.people('people.unset', p.id, '$unset', p.unset, undefined)
        } catch (error) {
          if (!isEventwireError(error)) throw error
          counts.invalid++
          problem({ id: p.id, reason: error.message })
          continue
        }
        if (setMessage !== undefined) {
          pending.set(setMessage, { row: p, op: '$set' })
          counts.set++
          await emit(setMessage, { id: p.id, operation: '$set', value: p.set! })
        }
        if (unsetMessage !== undefined) {
          pending.set(unsetMessage, { row: p, op: '$unset' })
          counts.unset++
          await emit(unsetMessage, { id: p.id, operation: '$unset', value: p.unset! })
        }
      }
      options.onProgress?.({ ...counts, fileBytes })
    }
    const plan = (row: SourceRow): PendingRow | undefined => {
      counts.rows++
      const normal = row.error === undefined ? normalizeRow(row.value, idField) : { error: row.error }
      if ('error' in normal) {
        counts.invalid++
        problem({ line: row.line, reason: normal.error })
        return undefined
      }
      if (!state.markSeen(normal.id)) {
        counts.invalid++
        problem({ id: normal.id, line: row.line, reason: 'duplicate id: an earlier row has the same id' })
        return undefined
      }
      const before = state.get(normal.id)
      if (before === undefined) counts.created++
      const diff = diffProperties(before ?? {}, normal.properties)
      if (diff.set === undefined && diff.unset === undefined) {
        counts.unchanged++
        return undefined
      }
      const outstanding = (diff.set ? 1 : 0) + (diff.unset ? 1 : 0)
      return {
        id: normal.id,
        base: before ?? {},
        ...diff,
        outstanding,
        setOk: false,
        unsetOk: false,
        failed: false,
      }
    }
    for await (const row of source) {
      if (options.signal?.aborted) {
        interrupted = true
        break
      }
      fileBytes = row.fileBytes
      group.push(row)
      if (group.length >= GROUP) await processGroup()
    }
    if (!interrupted) {
      await processGroup()
      if (options.deleteMissing === true) {
        if (counts.rows === 0) {
          throw new BulkError(
            'EVENTWIRE_UNSAFE_DELETE',
            `the input has no rows: --delete-missing would delete all ${state.count()} synced profiles; nothing was sent`,
          )
        }
        for (
          let after = '', ids = state.missing(after, GROUP);
          ids.length > 0;
          ids = state.missing(after, GROUP)
        ) {
          for (const id of ids) {
            const message = builder.people('people.delete', id, '$delete', '', undefined)
            pending.set(message, { id, op: '$delete' })
            counts.deleted++
            await emit(message, { id, operation: '$delete', value: null })
          }
          after = ids[ids.length - 1]!
          if (options.signal?.aborted) {
            interrupted = true
            break
          }
        }
      }
    }
    await batcher.finish()
  } catch (error) {
    await batcher.finish().catch(() => {})
    throw error
  } finally {
    state.close()
    await parts.delivery.close()
  }
  return {
    dryRun,
    ...counts,
    requests: parts.delivery.requests,
    ok: counts.failed === 0 && counts.invalid === 0 && !interrupted,
    interrupted,
    problems,
    statePath: options.statePath,
    elapsedMs: clock.now() - started,
  }
}

/** The acknowledged state of a row after its updates: the base, plus what was acknowledged. */
function applied(row: PendingRow): JsonObject {
  const out: JsonObject = { ...row.base }
  if (row.set !== undefined && row.setOk) Object.assign(out, row.set)
  if (row.unset !== undefined && row.unsetOk) for (const key of row.unset) delete out[key]
  return out
}
