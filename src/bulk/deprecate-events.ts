import { ConfigError } from '../errors/index.js'
import { type Clock, checkOptions, type LoggerOption, optionList, type Region } from '../internal/index.js'
import {
  type EventSpec,
  type LexiconEntry,
  type LexiconServiceAccount,
  type PlanDocument,
  pullPlan,
  pushPlan,
} from '../plan/index.js'
import type { HttpTransport } from '../transport/index.js'
import { appTarget } from './app-origin.js'

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
  /** Lexicon requests sent: the read and the update. */
  readonly requests: number
}

/**
 * Marks events hidden (and with `drop`, dropped at ingestion) in Mixpanel Lexicon, through the
 * tracking-plan Lexicon machinery: the project's schemas are read (`pullPlan`) so each event keeps
 * its description, properties and metadata, and only the named events are written back
 * (`pushPlan`) with `hidden` (and `dropped`) set. Events without a schema get a new one.
 *
 * @throws {ConfigError} for bad options; `EVENTWIRE_LEXICON_ERROR` when Lexicon refuses a request.
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
  const connection = {
    projectId: options.projectId,
    serviceAccount: options.serviceAccount,
    ...appTarget(options.apiHost, options.region),
    clock: options.clock,
    transport: options.transport,
    logger: options.logger,
  }
  const current = await pullPlan(connection)
  const byName = new Map(
    Object.entries(current.document.events).map(([code, spec]) => [spec.name, { code, spec }]),
  )
  const document: PlanDocument = { version: current.document.version, events: {} }
  const events: Array<DeprecateEventsResult['events'][number]> = []
  const drop = options.drop === true
  names.forEach((name, index) => {
    const found = byName.get(name)
    const spec: EventSpec = found === undefined ? { name, additionalProperties: true } : { ...found.spec }
    const description = spec.description?.replace(/^Deprecated(: [^.]*)?\.\s*/, '')
    if (description) spec.description = description
    else delete spec.description
    spec.deprecated = true
    document.events[found?.code ?? `deprecated${index}`] = spec
    events.push({ name, known: found !== undefined, hidden: true, dropped: drop })
  })
  const pushed = await pushPlan(document, {
    ...connection,
    dropDeprecated: drop,
    dryRun: options.dryRun === true,
  })
  return { dryRun: pushed.dryRun, events, entries: pushed.entries, requests: 1 + pushed.requests }
}
