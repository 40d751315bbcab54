import { MessageBuilder } from '../../client/index.js'
import { isEventwireError } from '../../errors/index.js'
import { optionList } from '../../internal/index.js'
import type { Endpoint, Message } from '../../message/index.js'
import { BULK_OPTIONS, type BulkOptions, resolveBulkOptions } from '../delivery/index.js'
import { ProfileBatcher } from './profile-batches.js'

/** Options of the profile clean-up functions. */
export interface CleanupOptions extends BulkOptions {
  /** Build every update and report it (`onUpdate`), send nothing. @default false */
  dryRun?: boolean
  /** Called with every update before it is sent. */
  onUpdate?: (id: string, body: Message['body']) => void
  /** Called every 1000 ids with the counts so far. */
  onProgress?: (progress: { ids: number; sent: number; failed: number }) => void
  /** Stops reading ids; updates in flight finish. */
  signal?: AbortSignal
}

/** The names of {@link CleanupOptions}. */
export const CLEANUP_OPTIONS = optionList<CleanupOptions>()({
  ...BULK_OPTIONS,
  dryRun: true,
  onUpdate: true,
  onProgress: true,
  signal: true,
})

/** The names of the options of {@link deleteProfiles}. */
const DELETE_PROFILES_OPTIONS = { ...CLEANUP_OPTIONS, ignoreAlias: true } as const

/** What a clean-up function did. */
export interface CleanupResult {
  readonly dryRun: boolean
  /** Ids read. */
  readonly ids: number
  /** Updates acknowledged. */
  readonly sent: number
  /** Updates refused or not delivered, plus ids that could not become an update. */
  readonly failed: number
  readonly requests: number
  readonly ok: boolean
  readonly interrupted: boolean
  /** The first problems (up to 20). */
  readonly problems: ReadonlyArray<{ readonly id: string; readonly reason: string }>
  readonly elapsedMs: number
}

type Ids = Iterable<string> | AsyncIterable<string>

/**
 * Deletes user profiles (`$delete` on `/engage`, 2000 per request). The users' events are not
 * deleted (use the GDPR API for that). With `ignoreAlias`, aliases are not resolved, so a duplicate
 * profile can be removed without deleting the original.
 */
export function deleteProfiles(
  ids: Ids,
  options: CleanupOptions & { ignoreAlias?: boolean },
): Promise<CleanupResult> {
  const modifiers = options?.ignoreAlias === true ? { ignoreAlias: true } : undefined
  return run(ids, options, 'people', 'deleteProfiles', DELETE_PROFILES_OPTIONS, (builder, id) =>
    builder.people('people.delete', id, '$delete', '', modifiers),
  )
}

/** Removes properties from user profiles (`$unset` on `/engage`). */
export function unsetProfileProperties(
  ids: Ids,
  propertyNames: readonly string[],
  options: CleanupOptions,
): Promise<CleanupResult> {
  const names = [...propertyNames]
  return run(ids, options, 'people', 'unsetProfileProperties', CLEANUP_OPTIONS, (builder, id) =>
    builder.people('people.unset', id, '$unset', names, undefined),
  )
}

/** Deletes group profiles of `groupKey` (`$delete` on `/groups`). */
export function deleteGroupProfiles(
  ids: Ids,
  groupKey: string,
  options: CleanupOptions,
): Promise<CleanupResult> {
  return run(ids, options, 'groups', 'deleteGroupProfiles', CLEANUP_OPTIONS, (builder, id) =>
    builder.group(groupKey, id, '$delete', '', undefined),
  )
}

async function run(
  ids: Ids,
  options: CleanupOptions,
  kind: Endpoint,
  owner: string,
  names: Readonly<Record<string, true>>,
  build: (builder: MessageBuilder, id: string) => Message,
): Promise<CleanupResult> {
  const parts = resolveBulkOptions(options, names, owner)
  const started = parts.clock.now()
  const dryRun = options.dryRun === true
  const builder = new MessageBuilder(parts.token, parts.clock, { ip: 0, ignoreTime: true }, () => {})
  const counts = { ids: 0, sent: 0, failed: 0 }
  const problems: Array<{ id: string; reason: string }> = []
  const idOf = new Map<Message, string>()
  const fail = (id: string, reason: string) => {
    counts.failed++
    if (problems.length < 20) problems.push({ id, reason })
  }
  const batcher = new ProfileBatcher(
    parts,
    kind,
    (outcomes) => {
      for (const { message, ok, reason } of outcomes) {
        const id = idOf.get(message) ?? message.id
        idOf.delete(message)
        if (ok) counts.sent += dryRun ? 0 : 1
        else fail(id, reason ?? 'not delivered')
      }
    },
    { dryRun },
  )
  let interrupted = false
  try {
    for await (const id of ids) {
      if (options.signal?.aborted) {
        interrupted = true
        break
      }
      counts.ids++
      let message: Message
      try {
        message = build(builder, id)
      } catch (error) {
        if (!isEventwireError(error)) throw error
        fail(id, error.message)
        continue
      }
      idOf.set(message, id)
      options.onUpdate?.(id, message.body)
      await batcher.add(message)
      if (counts.ids % 1000 === 0) options.onProgress?.({ ...counts })
    }
  } finally {
    await batcher.finish()
    await parts.delivery.close()
  }
  return {
    dryRun,
    ...counts,
    requests: parts.delivery.requests,
    ok: counts.failed === 0 && !interrupted,
    interrupted,
    problems,
    elapsedMs: parts.clock.now() - started,
  }
}
