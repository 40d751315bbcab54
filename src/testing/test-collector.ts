import {
  COLLECTOR_OPTIONS,
  type Collector,
  type CollectorIssue,
  type CollectorOptions,
  type CollectorStats,
  type StoredItem,
  type StoredProfile,
  startCollector,
} from '../collector/index.js'
import { checkOptions, omitOptions, optionList } from '../internal/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'

/** Options of {@link startTestCollector}: the collector's, without where it listens or stores. */
export type TestCollectorOptions = Omit<CollectorOptions, 'port' | 'db'>

/** The names of {@link TestCollectorOptions}. */
const TEST_COLLECTOR_OPTIONS = optionList<TestCollectorOptions>()(
  omitOptions(COLLECTOR_OPTIONS, 'port', 'db'),
)

/** An event as it arrived at the test collector. */
export interface CollectedEvent<P extends JsonObject = JsonObject> {
  id: number
  name: string | null
  distinctId: string | null
  /** Mixpanel: the event's `properties`; Snowplow: the self-describing event's data. */
  properties: P
  /** No issues at all. */
  valid: boolean
  /** Mixpanel (or Snowplow) would take it; false when its rules refuse it. */
  accepted: boolean
  issues: CollectorIssue[]
  source: 'mixpanel' | 'snowplow'
  /** `/track`, `/import`, `/com.snowplowanalytics.snowplow/tp2`, `/i`. */
  endpoint: string
  insertId: string | null
  /** Event time in milliseconds, when it carries one. */
  time: number | null
  /** The record exactly as decoded from the request. */
  payload: JsonValue
}

/** Which events {@link TestCollector.events} returns; every filter given must hold. */
export interface CollectedEventFilter {
  name?: string
  distinctId?: string
  valid?: boolean
  accepted?: boolean
  source?: 'mixpanel' | 'snowplow'
  /** Events with an issue of this code. */
  issue?: string
  /** Events whose properties have these values (compared as JSON). */
  properties?: Record<string, JsonValue>
}

/** A collector for one test: in memory, on a free loopback port. */
export interface TestCollector {
  /** Give it to an SDK as `apiHost` (eventwire) or `endpoint` (Snowplow). */
  readonly url: string
  /** The collector itself, for everything else (`request()`, `setFaults()`...). */
  readonly collector: Collector
  /** Events received so far, oldest first. */
  events<P extends JsonObject = JsonObject>(filter?: CollectedEventFilter): CollectedEvent<P>[]
  /**
   * Resolves with the matching events once at least `count` (default 1) have arrived; rejects
   * after `timeoutMs` (default 5000) saying how many had.
   */
  waitForEvents<P extends JsonObject = JsonObject>(
    filter?: CollectedEventFilter,
    options?: { count?: number; timeoutMs?: number },
  ): Promise<CollectedEvent<P>[]>
  /** User profiles as materialised from their updates, most recently updated first. */
  profiles(): StoredProfile[]
  /** One user profile's properties, or undefined. */
  profile(distinctId: string): JsonObject | undefined
  stats(): CollectorStats
  /** Forgets everything received. */
  reset(): void
  /** Stops the collector. Idempotent. */
  close(): Promise<void>
}

const POLL_MS = 20

/**
 * Starts an in-memory collector on `127.0.0.1` port 0 (no native module, nothing on disk) for an
 * integration test: point your service at `url`, run it, then assert on what arrived with typed
 * queries. Close it when the test ends.
 *
 * ```ts
 * const sink = await startTestCollector()
 * const mp = new Mixpanel('token', { apiHost: sink.url })
 * await mp.track('u-1', 'Signed up', { plan: 'pro' })
 * const [event] = await sink.waitForEvents({ name: 'Signed up' })
 * assert.equal(event.properties.plan, 'pro')
 * await sink.close()
 * ```
 *
 * @throws the collector's start errors (`ConfigError`, `EVENTWIRE_COLLECTOR_*`).
 */
export async function startTestCollector(options: TestCollectorOptions = {}): Promise<TestCollector> {
  checkOptions(options, TEST_COLLECTOR_OPTIONS, 'startTestCollector')
  const collector = await startCollector({ ...options, port: 0, db: ':memory:' })
  const events = <P extends JsonObject>(filter: CollectedEventFilter = {}): CollectedEvent<P>[] =>
    collector
      .events({
        kind: 'event',
        order: 'asc',
        limit: 10_000,
        ...(filter.name === undefined ? {} : { name: filter.name }),
        ...(filter.distinctId === undefined ? {} : { distinctId: filter.distinctId }),
        ...(filter.valid === undefined ? {} : { valid: filter.valid }),
        ...(filter.source === undefined ? {} : { source: filter.source }),
        ...(filter.issue === undefined ? {} : { issue: filter.issue }),
      })
      .filter((item) => filter.accepted === undefined || item.accepted === filter.accepted)
      .map((item) => collected<P>(item))
      .filter((event) =>
        Object.entries(filter.properties ?? {}).every(
          ([key, value]) => JSON.stringify(event.properties[key]) === JSON.stringify(value),
        ),
      )
  return {
    url: collector.url,
    collector,
    events,
    async waitForEvents<P extends JsonObject>(
      filter: CollectedEventFilter = {},
      { count = 1, timeoutMs = 5000 }: { count?: number; timeoutMs?: number } = {},
    ) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = events<P>(filter)
        if (found.length >= count) return found
        if (Date.now() > deadline) {
          throw new Error(
            `waited ${timeoutMs} ms for ${count} event(s) matching ${JSON.stringify(filter)}; ${found.length} arrived`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref())
      }
    },
    profiles: () => collector.profiles(),
    profile: (id) => collector.profile(id)?.properties,
    stats: () => collector.stats(),
    reset: () => collector.reset(),
    close: () => collector.close(),
  }
}

function collected<P extends JsonObject>(item: StoredItem): CollectedEvent<P> {
  return {
    id: item.id,
    name: item.name,
    distinctId: item.distinctId,
    properties: propertiesOf(item) as P,
    valid: item.valid,
    accepted: item.accepted,
    issues: item.issues,
    source: item.source,
    endpoint: item.endpoint,
    insertId: item.insertId,
    time: item.time,
    payload: item.payload,
  }
}

function propertiesOf(item: StoredItem): JsonObject {
  const pick = (value: unknown, key: string): unknown =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)[key]
      : undefined
  const found =
    item.source === 'snowplow'
      ? pick(pick(item.decoded?.unstruct, 'data'), 'data')
      : pick(item.payload, 'properties')
  return typeof found === 'object' && found !== null && !Array.isArray(found) ? (found as JsonObject) : {}
}
