import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { CollectorError } from '../errors/index.js'
import type { TimerHandle } from '../internal/index.js'
import { igluEventName, loadPlan, type PlanDocument, type TrackingPlan } from '../plan/index.js'
import type { IngestContext } from './context.js'
import { FaultInjector, type FaultOptions, resolveFaults } from './faults.js'
import { createLocalEvaluator } from './flags-evaluator.js'
import { FlagsSource } from './flags-source.js'
import { IgluRegistry } from './iglu-registry.js'
import { type ItemQuery, type PropertyFilter, parsePropertyFilter } from './item-query.js'
import { openStorage } from './open-storage.js'
import { type CollectorOptions, resolveCollectorOptions } from './options.js'
import { PlanCoverage } from './plan-coverage.js'
import { createPlanValidator } from './plan-validator.js'
import { createRouter } from './router.js'
import { SseHub } from './sse.js'
import type { CollectorStorage } from './storage.js'
import { certificateFiles, selfSignedCertificate, type TlsMaterial } from './tls-certificate.js'
import type { CollectorStats, StoredItem, StoredProfile, StoredRequest } from './types.js'
import { UiAssets } from './ui-assets.js'

/** Filters of {@link Collector.events}; the same as `GET /_/events`. Every filter given must hold. */
export interface EventQuery extends Partial<Omit<ItemQuery, 'property'>> {
  /** Items whose properties match: `'plan = pro'`, `'plan != pro'`, `'plan'` (present), or the parsed form. */
  property?: string | PropertyFilter
}

/** The HTTPS side of a collector started with `https`. */
export interface CollectorTls {
  /** The certificate file (PEM): trust it with `NODE_EXTRA_CA_CERTS=<file>` or an agent's `ca`. */
  certFile: string
  /** True for the collector's own self-signed certificate. */
  selfSigned: boolean
  /** True when this start made the certificate. */
  created: boolean
}

/** A running collector. */
export interface Collector {
  /** Origin such as `http://127.0.0.1:8787`: the web debugger's URL and an `apiHost` for SDKs. */
  readonly url: string
  /** The port listened on (useful with `port: 0`). */
  readonly port: number
  /** The address listened on. */
  readonly host: string
  /** `https` when started with `https`. */
  readonly protocol: 'http' | 'https'
  /** The certificate in use, with `https`; undefined otherwise. */
  readonly tls: CollectorTls | undefined
  /** Counters: events, good, bad, refused, updates, profiles, requests, uniqueInsertIds... */
  stats(): CollectorStats
  /** Stored items, newest first unless asked otherwise (copies: changing them changes nothing stored). */
  events(query?: EventQuery): StoredItem[]
  /** One ingestion request as received and answered (credentials redacted), or undefined. */
  request(id: number): StoredRequest | undefined
  /** A user profile as materialised from its updates, or undefined. */
  profile(distinctId: string): StoredProfile | undefined
  /** A group profile, or undefined. */
  groupProfile(groupKey: string, groupId: string): StoredProfile | undefined
  /** The most recently updated user profiles, up to `limit` (default 100). */
  profiles(limit?: number): StoredProfile[]
  /** Replaces the injected faults (`{}` clears them). Throws `ConfigError` for invalid values. */
  setFaults(faults: FaultOptions): void
  /** Deletes everything stored. */
  reset(): void
  /** Clients connected to `/_/stream`. */
  streamClients(): number
  /** Stops listening, ends streams and open connections, and closes the storage. Idempotent. */
  close(): Promise<void>
  /** `close()`, for `await using collector = await startCollector(...)`. */
  [Symbol.asyncDispose](): Promise<void>
}

/** How long stats changes are gathered before one `stats` stream event is sent, in milliseconds. */
const STATS_DEBOUNCE_MS = 200

/**
 * Starts a local Mixpanel- and Snowplow-compatible collector with a live web debugger at `url`.
 * Events are checked against Mixpanel's rules (and the tracking plan and Iglu schemas, when given),
 * stored in memory or SQLite as good or bad with the request they came in, and profiles are
 * materialised from their updates. Throws `ConfigError` for bad options and
 * `EVENTWIRE_COLLECTOR_*` errors when the database, certificate, Iglu folder, flags file, plan or
 * port cannot be used.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const o = resolveCollectorOptions(options)
  const { clock, logger } = o
  const faults = new FaultInjector(resolveFaults(o.faults, clock.now()), o.random)
  const flagsSource = new FlagsSource(o.flags, logger)
  const plan: TrackingPlan | undefined =
    o.plan === undefined ? undefined : loadPlan(o.plan as string | PlanDocument)
  const validators = plan === undefined ? [...o.validators] : [createPlanValidator(plan), ...o.validators]
  const iglu = o.iglu === undefined ? undefined : IgluRegistry.load(o.iglu)
  const snowplowNames = new Map(
    Object.values(plan?.document.events ?? {}).map((spec) => [igluEventName(spec.name), spec.name]),
  )
  const snowplowEventName = (schemaName: string) => snowplowNames.get(schemaName) ?? schemaName
  const evaluator = o.flagsEvaluator ?? createLocalEvaluator(logger)
  const ui = new UiAssets(o.uiDir)
  if (ui.dir === undefined) logger.warn({}, 'web debugger files not found; the page at / is unavailable')
  const tls = await loadTls(o.https, clock.now())
  const store: CollectorStorage = await openStorage(o.db)
  const sse = new SseHub(clock, o.heartbeatMs)

  let coverage: PlanCoverage | undefined
  const planCoverage = () => {
    if (coverage === undefined) {
      coverage = new PlanCoverage(plan, snowplowEventName)
      const counting = coverage
      store.eachItem({ kind: 'event' }, (item) => {
        counting.add(item)
        return undefined
      })
    }
    return coverage
  }

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
    iglu,
    snowplowEventName,
    commit(items, request, at) {
      const { items: stored, profiles } = store.ingest(items, request, at)
      if (coverage !== undefined) for (const item of stored) coverage.add(item)
      if (sse.size > 0) {
        for (const item of stored) sse.broadcast('item', item)
        for (const profile of profiles) sse.broadcast('profile', profile)
      }
      publishStats()
    },
    refuse(request, at) {
      store.recordRequest(request, at)
      publishStats()
    },
  }
  const config = {
    plan: plan === undefined ? null : { version: plan.version, title: plan.title ?? null },
    flagsFile: o.flags ?? null,
    importAuth: ingest.credentials !== undefined,
    database: store.location,
    iglu: iglu === undefined ? null : { dir: iglu.dir, schemas: iglu.uris },
    https: tls !== undefined,
  }
  const doReset = () => {
    store.reset()
    coverage?.reset()
    sse.broadcast('reset', store.stats())
  }
  const router = createRouter({
    ingest,
    rest: { store, sse, faults, clock, config, coverage: planCoverage, plan, onReset: doReset },
    flags: { source: flagsSource, evaluator, logger },
    faults,
    ui,
    loopbackOnly: isLoopback(o.host),
  })

  const server: Server = tls === undefined ? createServer(router) : createTlsServer(tls, router)
  server.requestTimeout = 60_000
  server.headersTimeout = 30_000
  try {
    await listen(server, o.port, o.host)
  } catch (cause) {
    store.close()
    throw new CollectorError(
      'EVENTWIRE_COLLECTOR_LISTEN_FAILED',
      `The collector cannot listen on ${o.host}:${o.port}: ${(cause as Error).message}`,
      { cause },
    )
  }
  const port = (server.address() as AddressInfo).port
  const protocol = tls === undefined ? 'http' : 'https'
  const url = `${protocol}://${urlHost(o.host)}:${port}`
  logger.info({ url, db: store.location }, 'collector listening')

  let closing: Promise<void> | undefined
  const collector: Collector = {
    url,
    port,
    host: o.host,
    protocol,
    tls:
      tls === undefined
        ? undefined
        : { certFile: tls.certFile, selfSigned: tls.selfSigned, created: tls.created },
    stats: () => store.stats(),
    events: (query = {}) => {
      const { property, ...rest } = query
      const parsed = typeof property === 'string' ? parsePropertyFilter(property) : property
      return structuredClone(
        store.listItems({
          ...rest,
          ...(parsed === undefined ? {} : { property: parsed }),
          limit: query.limit ?? 100,
          order: query.order ?? 'desc',
        }),
      )
    },
    request: (id) => structuredClone(store.getRequest(id)),
    profile: (id) => structuredClone(store.getProfile('user', null, id)),
    groupProfile: (key, id) => structuredClone(store.getProfile('group', key, id)),
    profiles: (limit = 100) => structuredClone(store.listProfiles('user', limit)),
    setFaults: (next) => faults.set(resolveFaults(next, clock.now())),
    reset: doReset,
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
    [Symbol.asyncDispose]: () => collector.close(),
  }
  return collector
}

async function loadTls(
  https: ReturnType<typeof resolveCollectorOptions>['https'],
  now: number,
): Promise<TlsMaterial | undefined> {
  if (https === false) return undefined
  if ('tlsDir' in https) return selfSignedCertificate(https.tlsDir, now)
  return certificateFiles(https.certFile, https.keyFile)
}

function createTlsServer(
  tls: TlsMaterial,
  router: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  try {
    return createHttpsServer({ cert: tls.cert, key: tls.key }, router) as unknown as Server
  } catch (cause) {
    throw new CollectorError(
      'EVENTWIRE_COLLECTOR_TLS_ERROR',
      `Cannot serve HTTPS with ${JSON.stringify(tls.certFile)}: ${(cause as Error).message}`,
      { cause },
    )
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
