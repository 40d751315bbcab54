import { ConfigError } from '../errors/index.js'
import { type Clock, checkOptions, type LoggerOption, optionList, type Region } from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import type { HttpTransport } from '../transport/index.js'
import { LexiconClient, type LexiconEntry, type LexiconServiceAccount } from './lexicon-client.js'

/** Options of {@link deprecateEvents}. */
export interface DeprecateEventsOptions {
  /** Mixpanel project id. */
  projectId: number | string
  /** A service account with the admin or owner role. */
  serviceAccount: LexiconServiceAccount
  /** Data residency. @default 'us' */
  region?: Region
  /** Origin to use instead of the region's App API host (an ingestion host maps to its region). */
  apiHost?: string
  /** Mark the events `dropped` (Mixpanel stops ingesting them) as well as hidden. @default false */
  drop?: boolean
  /** Read the current schemas and build the update, but send nothing. @default false */
  dryRun?: boolean
  /** Time source for the Lexicon rate limit. @default systemClock */
  clock?: Clock
  /** HTTP transport for the Lexicon requests. */
  transport?: HttpTransport
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** The names of {@link DeprecateEventsOptions}. */
export const DEPRECATE_EVENTS_OPTIONS = optionList<DeprecateEventsOptions>()({
  projectId: true,
  serviceAccount: true,
  region: true,
  apiHost: true,
  drop: true,
  dryRun: true,
  clock: true,
  transport: true,
  logger: true,
})

/** What {@link deprecateEvents} did. */
export interface DeprecateEventsResult {
  readonly dryRun: boolean
  readonly events: ReadonlyArray<{
    readonly name: string
    /** Whether Lexicon already had a schema for the event (its properties are kept). */
    readonly known: boolean
    readonly hidden: true
    readonly dropped: boolean
  }>
  /** The schema entries sent (or, in a dry run, that would be sent). */
  readonly entries: readonly LexiconEntry[]
  /** Lexicon requests sent: the read and the update, retries included. */
  readonly requests: number
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema'
/** A description's deprecation note, as this function and `pushPlan` write it. */
const DEPRECATED_NOTE = /^Deprecated(: [^.]*)?\.\s*/

/**
 * Marks events hidden (and with `drop`, dropped at ingestion) in Mixpanel Lexicon: the project's
 * schemas are read, and only the named events are written back, each with its schema as read —
 * description, properties and metadata kept — `hidden` (and `dropped`) set and its description
 * starting with `Deprecated.`. Events without a schema get a new, open one.
 *
 * @throws {ConfigError} for bad options; {@link LexiconError} when Lexicon refuses a request.
 */
export async function deprecateEvents(
  names: readonly string[],
  options: DeprecateEventsOptions,
): Promise<DeprecateEventsResult> {
  checkOptions(options, DEPRECATE_EVENTS_OPTIONS, 'deprecateEvents', { required: true })
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((n) => typeof n !== 'string' || n.trim() === '')
  ) {
    throw new ConfigError('names', 'expected one or more event names')
  }
  const { drop, dryRun, ...connection } = options
  const dropped = drop === true
  const client = new LexiconClient(connection)
  try {
    const current = new Map<string, LexiconEntry>()
    for (const entry of await client.readSchemas()) {
      if (entry.entityType === 'event') current.set(entry.name, entry)
    }
    const events: Array<DeprecateEventsResult['events'][number]> = []
    const entries: LexiconEntry[] = []
    for (const name of new Set(names)) {
      const known = current.get(name)
      entries.push({ entityType: 'event', name, schemaJson: deprecatedSchema(known?.schemaJson, dropped) })
      events.push({ name, known: known !== undefined, hidden: true, dropped })
    }
    if (dryRun !== true) await client.writeSchemas(entries)
    return { dryRun: dryRun === true, events, entries, requests: client.requests }
  } finally {
    await client.close()
  }
}

/** `schema` (or a new open schema) marked hidden, dropped or not, and noted as deprecated. */
function deprecatedSchema(schema: JsonObject | undefined, dropped: boolean): JsonObject {
  const base: JsonObject =
    schema === undefined
      ? { $schema: DRAFT_07, additionalProperties: true, properties: {} }
      : structuredClone(schema)
  const text = typeof base.description === 'string' ? base.description.replace(DEPRECATED_NOTE, '') : ''
  const metadata = objectOf(base.metadata)
  return {
    ...base,
    description: text === '' ? 'Deprecated.' : `Deprecated. ${text}`,
    metadata: {
      ...metadata,
      'com.mixpanel': { ...objectOf(metadata['com.mixpanel']), hidden: true, dropped },
    },
  }
}

function objectOf(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {}
}
