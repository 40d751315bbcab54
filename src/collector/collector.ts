import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventwireError } from '../errors/index.js'
import type { TimerHandle } from '../internal/index.js'
import type { IngestContext } from './context.js'
import { FaultInjector, type FaultOptions, resolveFaults } from './faults.js'
import { createLocalEvaluator } from './flags-evaluator.js'
import { FlagsSource } from './flags-source.js'
import { type CollectorOptions, resolveCollectorOptions } from './options.js'
import { createPlanValidator } from './plan-validator.js'
import { createRouter } from './router.js'
import { SseHub } from './sse.js'
import { CollectorStore } from './storage.js'
import type { CollectorStats, ItemKind, StoredItem, StoredProfile } from './types.js'
import { UiAssets } from './ui-assets.js'

/** Filters of {@link Collector.events}; the same as `GET /_/events`. */
export interface EventQuery {
  /** Only good (`true`) or bad (`false`) items. */
  valid?: boolean
  /** Only items with this event name. */
  name?: string
  /** Only items of this distinct id (or group id). */
  distinctId?: string
  /** Only events, user updates or group updates. @default all */
  kind?: ItemKind
  /** Only `mixpanel` or `snowplow` items. */
  source?: 'mixpanel' | 'snowplow'
  /** Only items with a greater id, oldest first. */
  after?: number
  /** Most items returned, up to 10000. @default 100 */
  limit?: number
  /** `desc` = newest first. @default 'desc' */
  order?: 'asc' | 'desc'
}

/** A running collector. */
export interface Collector {
  /** Origin such as `http://127.0.0.1:8787`: the web debugger's URL and an `apiHost` for SDKs. */
  readonly url: string
  /** The port listened on (useful with `port: 0`). */
  readonly port: number
  /** The address listened on. */
  readonly host: string
  /** Counters: events, good, bad, updates, profiles, requests, uniqueInsertIds... */
  stats(): CollectorStats
  /** Stored items, newest first unless asked otherwise. */
  events(query?: EventQuery): StoredItem[]
  /** A user profile as materialised from its updates, or undefined. */
  profile(distinctId: string): StoredProfile | undefined
  /** A group profile, or undefined. */
  groupProfile(groupKey: string, groupId: string): StoredProfile | undefined
  /** Replaces the injected faults (`{}` clears them). Throws `ConfigError` for invalid values. */
  setFaults(faults: FaultOptions): void
  /** Deletes everything stored. */
  reset(): void
  /** Clients connected to `/_/stream`. */
  streamClients(): number
  /** Stops listening, ends streams and open connections, and closes the database. Idempotent. */
  close(): Promise<void>
}

/** How long stats changes are gathered before one `stats` stream event is sent, in milliseconds. */
const STATS_DEBOUNCE_MS = 200

/**
 * Starts a local Mixpanel- and Snowplow-compatible collector with a live web debugger at `url`.
 * Events are checked against Mixpanel's rules (and the tracking plan, when given), stored in
 * SQLite as good or bad, and profiles are materialised from their updates. Throws `ConfigError`
 * for bad options and `EVENTWIRE_COLLECTOR_*` errors when the database, flags file, plan or port
 * cannot be used.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const o = resolveCollectorOptions(options)
  const { clock, logger } = o
  const faults = new FaultInjector(resolveFaults(o.faults, clock.now()), o.random)
  const flagsSource = new FlagsSource(o.flags, logger)
  const validators = o.plan === undefined ? [...o.validators] : [createPlanValidator(o.plan), ...o.validators]
  const evaluator = o.flagsEvaluator ?? createLocalEvaluator(logger)
  const ui = new UiAssets(o.uiDir)
  if (ui.dir === undefined) logger.warn({}, 'web debugger files not found; the page at / is unavailable')
  const store = await CollectorStore.open(o.db)
  const sse = new SseHub(clock, o.heartbeatMs)

  let statsTimer: TimerHandle | undefined
  const publishStats = () => {
    if (statsTimer !== undefined || sse.size === 0) return
    statsTimer = clock.setTimeout(() => {
      statsTimer = undefined
      sse.broadcast('stats', store.stats())
    }, STATS_DEBOUNCE_MS)
  }
  const ingest: IngestContext = {
    store,
    clock,
    logger,
    limits: { maxBodyBytes: o.maxBodyBytes, maxDecompressedBytes: o.maxDecompressedBytes },
    token: o.token,
    credentials:
      o.token !== undefined || o.apiSecret !== undefined || o.serviceAccount !== undefined
        ? { token: o.token, apiSecret: o.apiSecret, serviceAccount: o.serviceAccount }
        : undefined,
    validators,
    publish({ items, profiles }) {
      if (sse.size > 0) {
        for (const item of items) sse.broadcast('item', item)
        for (const profile of profiles) sse.broadcast('profile', profile)
      }
      publishStats()
    },
    publishStats,
  }
  const config = {
    plan: o.plan !== undefined,
    flagsFile: o.flags ?? null,
    importAuth: ingest.credentials !== undefined,
    database: o.db,
  }
  const router = createRouter({
    ingest,
    rest: {
      store,
      sse,
      faults,
      clock,
      config,
      onReset: () => {
        sse.broadcast('reset', store.stats())
      },
    },
    flags: { source: flagsSource, evaluator, logger },
    faults,
    ui,
    loopbackOnly: isLoopback(o.host),
  })

  const server = createServer(router)
  server.requestTimeout = 60_000
  server.headersTimeout = 30_000
  try {
    await listen(server, o.port, o.host)
  } catch (cause) {
    store.close()
    throw new EventwireError(
      'EVENTWIRE_COLLECTOR_LISTEN_FAILED',
      `The collector cannot listen on ${o.host}:${o.port}: ${(cause as Error).message}`,
      { cause },
    )
  }
  const port = (server.address() as AddressInfo).port
  const url = `http://${urlHost(o.host)}:${port}`
  logger.info({ url, db: o.db }, 'collector listening')

  let closing: Promise<void> | undefined
  return {
    url,
    port,
    host: o.host,
    stats: () => store.stats(),
    events: (query = {}) =>
      store.listItems({ ...query, limit: query.limit ?? 100, order: query.order ?? 'desc' }),
    profile: (id) => store.getProfile('user', null, id),
    groupProfile: (key, id) => store.getProfile('group', key, id),
    setFaults: (next) => faults.set(resolveFaults(next, clock.now())),
    reset: () => {
      store.reset()
      sse.broadcast('reset', store.stats())
    },
    streamClients: () => sse.size,
    close() {
      closing ??= (async () => {
        statsTimer?.cancel()
        sse.close()
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await closed
        store.close()
        logger.info({ url }, 'collector closed')
      })()
      return closing
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** The host part of the printed URL: wildcard addresses are reached through localhost. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}
