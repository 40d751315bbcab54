import type { Redis, RedisOptions } from 'ioredis'
import {
  BATCH_CONSUMER_OPTIONS,
  BATCH_DEFAULTS,
  BatchConsumer,
  type BatchConsumerOptions,
} from '../consumers/index.js'
import { MIXPANEL_DESTINATION_DEFAULTS, type ServiceAccount } from '../destinations/index.js'
import { ConfigError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  intOption,
  type Logger,
  type LoggerOption,
  omitOptions,
  optionList,
  Redactor,
  type Region,
  resolveLogger,
  stringOption,
  systemClock,
} from '../internal/index.js'
import { REDIS_STORE_DEFAULTS, RedisEventStore, redisPassword } from '../stores/index.js'
import { WorkerStore } from './worker-store.js'

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** Redis URL (`redis://`, `rediss://` for TLS, `redis://:password@host`) or an ioredis client. */
  redis: string | Redis
  /** Extra ioredis options used with a URL, e.g. `{ tls: { ca } }`. */
  redisOptions?: RedisOptions
  /** Name of the queue: the `stream` of the producers' `RedisEventStore`. */
  stream: string
  /** Project token, set on messages that carry none (messages keep their own token otherwise). */
  token: string
  /** Ingestion host or origin. @default the region's host (`api.mixpanel.com` for `us`) */
  apiHost?: string
  /** Data-residency region. @default 'us' */
  region?: Region
  /** Credentials for `/import`. */
  serviceAccount?: ServiceAccount
  /** Requests in flight at once (the BatchConsumer's `maxConcurrentRequests`). @default 4 */
  concurrency?: number
  /** Messages per request. @default 50 */
  batchSize?: number
  /** Consumer group shared by the workers. @default 'eventwire' */
  group?: string
  /**
   * How long a lease holds, in milliseconds: a worker that dies mid-batch hands its messages to the
   * others after this long. Use the same value in every worker. @default 60000
   */
  leaseTimeoutMs?: number
  /** How often an idle worker looks for new messages, in milliseconds. @default 200 */
  pollIntervalMs?: number
  /** Interval of the progress log line, in milliseconds; `0` turns it off. @default 10000 */
  progressIntervalMs?: number
  /**
   * On stop, how long requests in flight may take to finish, in milliseconds; then they are
   * aborted and their messages go back to the queue.
   * @default 10000
   */
  shutdownTimeoutMs?: number
  /** Aborting it stops the worker (the CLI aborts it on SIGTERM and SIGINT). */
  signal?: AbortSignal
  /**
   * Further BatchConsumer options: request timeouts, retries, `customRetryCodes`, a destination.
   * `apiHost`, `region`, `serviceAccount`, `batchSize` and `maxConcurrentRequests` are set above
   * (as `concurrency` for the last): giving them in both places fails with a `ConfigError`.
   */
  delivery?: WorkerDeliveryOptions
  /**
   * A pino-compatible logger, or `false` for silence; progress lines are logged at info level.
   * @default warnings and errors to stderr (no progress lines)
   */
  logger?: LoggerOption
  /** Time source. @default systemClock */
  clock?: Clock
}

/** The BatchConsumer options a worker's `delivery` option takes. */
export type WorkerDeliveryOptions = Omit<BatchConsumerOptions, 'store' | 'startOnInit' | 'logger' | 'clock'>

/** The names of {@link WorkerDeliveryOptions}. */
const WORKER_DELIVERY_OPTIONS = optionList<WorkerDeliveryOptions>()(
  omitOptions(BATCH_CONSUMER_OPTIONS, 'store', 'startOnInit', 'logger', 'clock'),
)

/** The names of {@link WorkerOptions}. */
export const WORKER_OPTIONS = optionList<WorkerOptions>()({
  redis: true,
  redisOptions: true,
  stream: true,
  token: true,
  apiHost: true,
  region: true,
  serviceAccount: true,
  concurrency: true,
  batchSize: true,
  group: true,
  leaseTimeoutMs: true,
  pollIntervalMs: true,
  progressIntervalMs: true,
  shutdownTimeoutMs: true,
  signal: true,
  delivery: true,
  logger: true,
  clock: true,
})

/** Worker options that `delivery` must not repeat, with the name they have there. */
const SET_ABOVE = {
  apiHost: 'apiHost',
  region: 'region',
  serviceAccount: 'serviceAccount',
  batchSize: 'batchSize',
  concurrency: 'maxConcurrentRequests',
} as const

/** What a worker did, reported when it stops. */
export interface WorkerResult {
  /** Messages delivered. */
  sent: number
  /** Messages whose retries ran out. */
  failed: number
  /** Messages dropped for another reason (refused by the server, too large). */
  dropped: number
  /** Retries scheduled. */
  retried: number
  /** Requests sent. */
  requests: number
}

/**
 * Defaults of {@link WorkerOptions}. `region` and `batchSize` are applied by the destination and
 * the BatchConsumer the worker builds (so that a `delivery.destination` keeps its own limits).
 */
export const WORKER_DEFAULTS = {
  region: MIXPANEL_DESTINATION_DEFAULTS.region,
  concurrency: 4,
  batchSize: BATCH_DEFAULTS.batchSize,
  group: REDIS_STORE_DEFAULTS.group,
  leaseTimeoutMs: 60_000,
  pollIntervalMs: 200,
  progressIntervalMs: 10_000,
  shutdownTimeoutMs: 10_000,
}

/** After a failed store operation, how long the worker waits before looking for messages again. */
const STORE_FAILURE_PAUSE_MS = 2000

/**
 * Drains a `RedisEventStore` to Mixpanel until `signal` aborts: the background half of the
 * producers → Redis → workers pattern (`eventwire worker` is this function). Any number of workers
 * share one queue; each leases its own batches through the consumer group and delivers them with
 * the same BatchConsumer pipeline as in-process delivery (batching, retries with backoff,
 * `Retry-After`, 413 splitting). A worker that dies mid-batch loses nothing: its messages are taken
 * over by another after `leaseTimeoutMs`.
 *
 * Stopping finishes the requests in flight (up to `shutdownTimeoutMs`, then aborts them), takes no
 * new batch, and hands every lease it still holds back to the queue. Rejects at start when the
 * options are invalid or Redis cannot be reached; resolves with the counts when stopped.
 */
export async function runWorker(options: WorkerOptions): Promise<WorkerResult> {
  checkOptions(options, WORKER_OPTIONS, 'runWorker', { required: true })
  if (options.delivery !== undefined) {
    checkOptions(options.delivery, WORKER_DELIVERY_OPTIONS, "runWorker's delivery", { required: true })
    for (const [above, inDelivery] of Object.entries(SET_ABOVE)) {
      if ((options.delivery as Record<string, unknown>)[inDelivery] === undefined) continue
      throw new ConfigError(
        `delivery.${inDelivery}`,
        `set it as runWorker's "${above}" option (the worker sets "${inDelivery}" of its BatchConsumer from it)`,
      )
    }
  }
  const stream = stringOption('stream', options?.stream, undefined)
  if (stream === undefined) throw new ConfigError('stream', 'expected the name of the queue')
  const token = stringOption('token', options.token, undefined)
  if (token === undefined) throw new ConfigError('token', 'expected the project token')
  const concurrency = intOption('concurrency', options.concurrency, WORKER_DEFAULTS.concurrency, 1, 64)
  const leaseTimeoutMs = intOption(
    'leaseTimeoutMs',
    options.leaseTimeoutMs,
    WORKER_DEFAULTS.leaseTimeoutMs,
    1,
  )
  const pollIntervalMs = intOption(
    'pollIntervalMs',
    options.pollIntervalMs,
    WORKER_DEFAULTS.pollIntervalMs,
    1,
  )
  const progressMs = intOption(
    'progressIntervalMs',
    options.progressIntervalMs,
    WORKER_DEFAULTS.progressIntervalMs,
    0,
  )
  const shutdownMs = intOption(
    'shutdownTimeoutMs',
    options.shutdownTimeoutMs,
    WORKER_DEFAULTS.shutdownTimeoutMs,
    0,
  )
  const clock = options.clock ?? systemClock
  const account = options.serviceAccount
  const logger = resolveLogger(
    options.logger,
    new Redactor([
      typeof options.redis === 'string' ? redisPassword(options.redis) : undefined,
      account === undefined ? undefined : { user: account.username, secret: account.secret },
    ]),
  )

  const redisStore = await RedisEventStore.open({
    redis: options.redis,
    redisOptions: options.redisOptions,
    stream,
    group: options.group ?? WORKER_DEFAULTS.group,
    leaseTimeoutMs,
    clock,
    logger,
  })
  const store = new WorkerStore(redisStore, token)
  let consumer: BatchConsumer
  try {
    consumer = new BatchConsumer({
      ...options.delivery,
      apiHost: options.apiHost,
      region: options.region,
      serviceAccount: options.serviceAccount,
      batchSize: options.batchSize,
      maxConcurrentRequests: concurrency,
      store,
      clock,
      logger,
    })
  } catch (error) {
    await redisStore.close()
    throw error
  }
  logger.info(
    { stream, consumer: redisStore.consumer, concurrency, leaseTimeoutMs },
    `eventwire worker: draining stream "${stream}" as ${redisStore.consumer}`,
  )

  const progress = new Progress(consumer, store, clock, logger)
  const timers: Array<{ cancel(): void }> = []
  const every = (ms: number, fn: () => void) => {
    const tick = () => {
      fn()
      timers[index] = clock.setTimeout(tick, ms)
    }
    const index = timers.push(clock.setTimeout(tick, ms)) - 1
  }
  // While Redis fails, look less often: each failed look is reported (and logged) once.
  let quietUntil = 0
  consumer.on('failure', ({ error }) => {
    if ((error as { code?: string }).code === 'EVENTWIRE_STORE_ERROR')
      quietUntil = clock.now() + STORE_FAILURE_PAUSE_MS
  })
  // BatchConsumer sends what it stored itself; new messages from other processes are found here.
  every(pollIntervalMs, () => {
    if (clock.now() >= quietUntil) void consumer.flush({ wait: false })
  })
  if (progressMs > 0) every(progressMs, () => void progress.log())

  await untilAborted(options.signal)
  for (const timer of timers) timer.cancel()
  store.stopLeasing()
  const deadline = clock.now() + shutdownMs
  while (consumer.stats().inFlightRequests > 0 && clock.now() < deadline) await clock.sleep(20)
  await consumer.close({ timeoutMs: 0 })
  await redisStore.close()
  await progress.log('stopped')
  const stats = consumer.stats()
  return {
    sent: stats.sent,
    failed: stats.failed,
    dropped: Object.values(stats.dropped).reduce((sum, n) => sum + n, 0) - stats.failed,
    retried: stats.retried,
    requests: stats.requests,
  }
}

/** The progress line: totals, rate since the last line, and the queue as Redis reports it. */
class Progress {
  readonly #consumer: BatchConsumer
  readonly #store: WorkerStore
  readonly #clock: Clock
  readonly #logger: Logger
  #lastSent = 0
  #lastAt: number

  constructor(consumer: BatchConsumer, store: WorkerStore, clock: Clock, logger: Logger) {
    this.#consumer = consumer
    this.#store = store
    this.#clock = clock
    this.#logger = logger
    this.#lastAt = clock.now()
  }

  async log(state = 'running'): Promise<void> {
    const stats = this.#consumer.stats()
    const now = this.#clock.now()
    const rate = Math.round(((stats.sent - this.#lastSent) * 1000) / Math.max(1, now - this.#lastAt))
    this.#lastSent = stats.sent
    this.#lastAt = now
    const queue = state === 'stopped' ? undefined : await this.#store.size().catch(() => undefined)
    const dropped = Object.values(stats.dropped).reduce((sum, n) => sum + n, 0) - stats.failed
    const fields = {
      state,
      sent: stats.sent,
      ratePerSecond: rate,
      failed: stats.failed,
      dropped,
      retried: stats.retried,
      inFlight: stats.inFlight,
      queued: queue?.count,
      leased: queue?.leased,
    }
    const queueText = queue === undefined ? '' : `; queue ${queue.count} (${queue.leased} leased)`
    this.#logger.info(
      fields,
      `eventwire worker ${state}: ${stats.sent} sent (${rate}/s), ${stats.failed} failed, ${dropped} dropped, ${stats.retried} retried, ${stats.inFlight} in flight${queueText}`,
    )
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise<void>(() => {})
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
