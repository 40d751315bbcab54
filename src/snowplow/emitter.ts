import type { Dispatcher } from 'undici'
import {
  BATCH_DEFAULTS,
  BatchConsumer,
  type BatchStats,
  type CloseOptions,
  type CloseResult,
  DELIVERY_DEFAULTS,
  EngineEmitter,
  type EventConsumer,
} from '../consumers/index.js'
import {
  eventIdFor,
  SNOWPLOW_DESTINATION_DEFAULTS,
  SNOWPLOW_DESTINATION_OPTIONS,
  SnowplowDestination,
  type SnowplowDestinationOptions,
  type SnowplowPayload,
} from '../destinations/index.js'
import { ConfigError } from '../errors/index.js'
import {
  boolOption,
  type Clock,
  checkOptions,
  type LoggerOption,
  numberOption,
  optionList,
  pickOptions,
  RETRY_DEFAULTS,
  systemClock,
} from '../internal/index.js'
import {
  createMessage,
  type DropReason,
  type Endpoint,
  isEndpoint,
  type JsonObject,
  type Message,
  messageList,
} from '../message/index.js'
import type { EventStore } from '../stores/index.js'
import { mixpanelToSnowplow } from './from-mixpanel.js'

/** Options of {@link Emitter} (seed 004's emitter options, in TypeScript). */
export interface EmitterOptions extends SnowplowDestinationOptions {
  /** Events per request. @default 1 for GET, 10 for POST */
  batchSize?: number
  /** Most bytes per POST request; a batch is also sent when this many bytes wait. @default 40000 */
  byteLimit?: number
  /** Called with the payloads of every successful request. */
  onSuccess?: (events: SnowplowPayload[]) => void
  /**
   * Called with the payloads that finally failed (refused by the collector, retries exhausted, too
   * large, or dropped because the buffer was full). Payloads that will be retried are not reported
   * until their retries run out.
   */
  onFailure?: (sentCount: number, unsent: SnowplowPayload[]) => void
  /** Request deadline in ms, or separate connect and read deadlines. @default 10000 */
  requestTimeoutMs?: number | { connectMs: number; readMs: number }
  /** Longest backoff between attempts, in ms. @default 60000 */
  maxRetryDelayMs?: number
  /**
   * Most events buffered in the default memory store; when full, new events are dropped and
   * reported. Cannot be combined with `store` (give the store its own capacity).
   * @default 10000
   */
  bufferCapacity?: number
  /** Status → retry or not, overriding the defaults (no retry for 400, 401, 403, 410, 422). */
  customRetryCodes?: Readonly<Record<number, boolean>>
  /**
   * Where events wait (any eventwire `EventStore`, e.g. `SqliteEventStore`), as for
   * `BatchConsumer`. Formerly `eventStore`, which now fails with a hint.
   * @default in memory
   */
  store?: EventStore
  /** A shared undici dispatcher (seed 004's `session`): pooled keep-alive connections. */
  dispatcher?: Dispatcher
  /** Oldest event waits at most this long before a batch is sent, in ms; 0 = only size and flush. @default 10000 */
  flushIntervalMs?: number
  /** For events from a `Mixpanel` client: the Iglu schema URI per event name (or one for all). */
  eventSchema?: string | ((event: string) => string | undefined)
  /** For events from a `Mixpanel` client: base64 `ue_px` (else `ue_pr`). @default true */
  encodeBase64?: boolean
  /** For events from a `Mixpanel` client: `aid`. */
  appId?: string
  /** For events from a `Mixpanel` client: `tna`. */
  namespace?: string
  /** Time source (backoff, flush timer, `stm`). @default systemClock */
  clock?: Clock
  /** Random source for backoff jitter. @default Math.random */
  random?: () => number
  /**
   * A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr
   * (dropped and finally failed events, events left at exit)
   */
  logger?: LoggerOption
}

/**
 * Defaults of {@link EmitterOptions}: events per request by `method`; the rest are those of the
 * BatchConsumer and destination underneath, except `bufferCapacity` (the Snowplow trackers' 10,000).
 */
export const EMITTER_DEFAULTS = {
  getBatchSize: 1,
  postBatchSize: 10,
  byteLimit: SNOWPLOW_DESTINATION_DEFAULTS.maxPostBytes,
  requestTimeoutMs: DELIVERY_DEFAULTS.requestTimeoutMs,
  maxRetryDelayMs: RETRY_DEFAULTS.maxRetryDelayMs,
  bufferCapacity: 10_000,
  flushIntervalMs: BATCH_DEFAULTS.flushIntervalMs,
  encodeBase64: true,
} as const

/** The names of {@link EmitterOptions}. */
export const EMITTER_OPTIONS = optionList<EmitterOptions>()({
  ...SNOWPLOW_DESTINATION_OPTIONS,
  batchSize: true,
  byteLimit: true,
  onSuccess: true,
  onFailure: true,
  requestTimeoutMs: true,
  maxRetryDelayMs: true,
  bufferCapacity: true,
  customRetryCodes: true,
  store: true,
  dispatcher: true,
  flushIntervalMs: true,
  eventSchema: true,
  encodeBase64: true,
  appId: true,
  namespace: true,
  clock: true,
  random: true,
  logger: true,
})

/** The names of the options of {@link AsyncEmitter}. */
export const ASYNC_EMITTER_OPTIONS = optionList<EmitterOptions & { threadCount?: number }>()({
  ...EMITTER_OPTIONS,
  threadCount: true,
})

/**
 * Sends Snowplow events to a collector through eventwire's delivery pipeline: a `BatchConsumer`
 * with a Snowplow destination, so it has the same stores, retries, backoff and drop accounting as
 * Mixpanel delivery. Use with a `Tracker` (`input(payload)`), or give it to a `Mixpanel` client
 * (`consumers: [mixpanelConsumer, emitter]`) to turn `track()` calls into self-describing events.
 * Profile and group updates have no Snowplow form: the emitter accepts and ignores them, counting
 * them in `stats().ignored`.
 */
export class Emitter extends EngineEmitter implements EventConsumer {
  /** The batch consumer doing the work. */
  readonly consumer: BatchConsumer
  readonly destination: SnowplowDestination
  readonly #mapping: Parameters<typeof mixpanelToSnowplow>[1]
  readonly #onFailure: EmitterOptions['onFailure']
  readonly #clock: Clock
  #ignored = 0

  /**
   * @param threadCount Requests in flight at once (what `AsyncEmitter` sets).
   * @throws {ConfigError} for an unknown, conflicting or invalid option.
   */
  constructor(options: EmitterOptions, threadCount = 1) {
    super()
    if (new.target === Emitter) checkOptions(options, EMITTER_OPTIONS, 'Emitter', { required: true })
    this.destination = new SnowplowDestination(
      pickOptions(options, SNOWPLOW_DESTINATION_OPTIONS) as SnowplowDestinationOptions,
    )
    this.#clock = options.clock ?? systemClock
    const timeout = options.requestTimeoutMs
    let requestTimeoutMs: number | undefined
    let connectTimeoutMs: number | undefined
    if (typeof timeout === 'object' && timeout !== null) {
      connectTimeoutMs = timeout.connectMs
      requestTimeoutMs = timeout.readMs + timeout.connectMs
    } else {
      requestTimeoutMs = timeout
    }
    this.#mapping = {
      eventSchema: options.eventSchema,
      encodeBase64: boolOption('encodeBase64', options.encodeBase64, EMITTER_DEFAULTS.encodeBase64),
      appId: options.appId,
      namespace: options.namespace,
    }
    if (options.onFailure !== undefined && typeof options.onFailure !== 'function') {
      throw new ConfigError('onFailure', 'expected a function')
    }
    this.#onFailure = options.onFailure
    const onSuccess = options.onSuccess
    this.consumer = new BatchConsumer({
      destination: this.destination,
      batchSize:
        options.batchSize ??
        (this.destination.method === 'get' ? EMITTER_DEFAULTS.getBatchSize : EMITTER_DEFAULTS.postBatchSize),
      byteLimit: options.byteLimit,
      requestTimeoutMs,
      connectTimeoutMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
      bufferCapacity:
        options.bufferCapacity ?? (options.store === undefined ? EMITTER_DEFAULTS.bufferCapacity : undefined),
      // The Snowplow trackers drop new events when full; a store you give has its own policy.
      overflow: options.store === undefined ? 'drop-newest' : undefined,
      customRetryCodes: options.customRetryCodes,
      store: options.store,
      dispatcher: options.dispatcher,
      flushIntervalMs: options.flushIntervalMs,
      maxConcurrentRequests: threadCount,
      clock: options.clock,
      random: options.random,
      logger: options.logger,
      onSuccess: onSuccess && ((messages) => onSuccess(messages.map(payloadOf))),
      onDrop: (messages, reason) => this.#reportFailure(messages, reason),
    })
    // The emitter is the consumer's voice: what the batch consumer tells, it tells too.
    for (const event of ENGINE_EVENTS) this.consumer.on(event, (payload) => this.emit(event, payload))
  }

  /** Takes one tracker payload (what a `Tracker` calls). Resolves once it is buffered. */
  input(payload: SnowplowPayload): Promise<void> {
    const eid = payload.eid ?? eventIdFor(undefined)
    const body = (payload.eid === undefined ? { ...payload, eid } : payload) as JsonObject
    return this.consumer.send('events', createMessage('events', eid, body, this.#clock.now()))
  }

  /**
   * Takes messages from a `Mixpanel` client: events and imports become self-describing events;
   * profile and group updates are ignored (counted in `stats().ignored`).
   */
  async send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    if (!isEndpoint(endpoint)) return this.consumer.send(endpoint, message)
    const list = messageList(message)
    if (endpoint === 'people' || endpoint === 'groups') {
      this.#ignored += list.length
      return
    }
    const converted = list.map((m) =>
      typeof m.body.e === 'string' ? m : mixpanelToSnowplow(m, this.#mapping),
    )
    return this.consumer.send('events', converted)
  }

  /** Sends what is buffered; waits for delivery unless `{ wait: false }`. */
  flush(options: { wait?: boolean } = {}): Promise<void> {
    return this.consumer.flush(options)
  }

  /** Flushes every `seconds` seconds until `cancelFlushTimer()` (seed 004's `set_flush_timer`). */
  setFlushTimer(seconds: number): void {
    const ms = numberOption('seconds', seconds, 0, 0.001) * 1000
    this.consumer.setFlushTimer(ms)
  }

  /** Stops the timer started by `setFlushTimer`. */
  cancelFlushTimer(): void {
    this.consumer.cancelFlushTimer()
  }

  /** Counters, plus the profile updates ignored. */
  stats(): BatchStats & { ignored: number } {
    return { ...this.consumer.stats(), ignored: this.#ignored }
  }

  /** Stops intake, drains, aborts at the deadline. */
  close(options?: CloseOptions): Promise<CloseResult> {
    return this.consumer.close(options)
  }

  /** `close()`, for `await using emitter = new Emitter(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #reportFailure(messages: readonly Message[], _reason: DropReason): void {
    if (this.#onFailure === undefined) return
    try {
      this.#onFailure(0, messages.map(payloadOf))
    } catch {
      // A throwing callback must not break delivery; BatchConsumer logs its own callbacks.
    }
  }
}

const ENGINE_EVENTS = ['request', 'success', 'retry', 'drop', 'failure', 'drained'] as const

/** An emitter whose requests run concurrently on a fixed pool (`threadCount`, default 1). */
export class AsyncEmitter extends Emitter {
  /** @throws {ConfigError} for an unknown, conflicting or invalid option. */
  constructor(options: EmitterOptions & { threadCount?: number }) {
    checkOptions(options, ASYNC_EMITTER_OPTIONS, 'AsyncEmitter', { required: true })
    const { threadCount, ...rest } = options
    super(rest, threadCount ?? 1)
  }
}

function payloadOf(message: Message): SnowplowPayload {
  return { ...(message.body as SnowplowPayload) }
}
