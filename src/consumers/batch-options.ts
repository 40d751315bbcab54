import { ConfigError, type EventwireError } from '../errors/index.js'
import { boolOption, type DropReason, ENDPOINTS, intOption, type Message } from '../internal/index.js'
import { type EventStore, InMemoryEventStore, type StoreCapacityOptions } from '../stores/index.js'
import { type DeliveryOptions, type DeliveryParts, resolveDeliveryOptions } from './delivery-options.js'

/** Options of {@link BatchConsumer}. Delivery options (hosts, timeouts, retries) apply as for `Consumer`. */
export interface BatchConsumerOptions extends DeliveryOptions, StoreCapacityOptions {
  /**
   * Messages per request; a batch is sent as soon as this many of one kind are waiting. At most the
   * destination's per-request limit (2000 for Mixpanel).
   * @default 50
   */
  batchSize?: number
  /**
   * Most body bytes per request; a batch is also sent as soon as this many bytes of one kind are
   * waiting. A single message that cannot fit in a request this size is dropped up front with
   * reason `too_large`. At most the destination's cap (2 MiB − 64 KiB for Mixpanel).
   * @default the destination's `maxRequestBytes` (2,031,616 for Mixpanel)
   */
  byteLimit?: number
  /**
   * Longest time a message waits for its batch to fill, in milliseconds (the oldest waiting message
   * is sent at most this long after it was accepted). `0` turns the timer off: only `batchSize`,
   * `byteLimit` and `flush()` send.
   * @default 10000
   */
  flushIntervalMs?: number
  /** Requests in flight at once. @default 4 */
  maxConcurrentRequests?: number
  /**
   * Retries per message after its first attempt (its retry budget, counted by the store, so it
   * survives restarts with a durable store). A message whose retries run out is dropped with reason
   * `retries_exhausted`.
   * @default 20
   */
  retryLimit?: number
  /**
   * Longest time after a message was built that it is still retried, in milliseconds; after that a
   * failed attempt drops it with reason `retries_exhausted`. `0` means no time limit.
   * @default 600000
   */
  retryBudgetMs?: number
  /**
   * Where messages wait. @default a new `InMemoryEventStore` built from `bufferCapacity`,
   * `maxBufferBytes` and `overflow` (those options are ignored when a store is given). A store you
   * pass is not closed by `close()`: close it yourself afterwards.
   */
  store?: EventStore
  /** Start sending in the background at construction; otherwise call `start()`. @default true */
  startOnInit?: boolean
  /** Called with the messages each successful request delivered. A callback that throws is logged and ignored. */
  onSuccess?: (messages: readonly Message[]) => void
  /**
   * Called when messages finally fail: their retry budget ran out (they are also reported to
   * `onDrop` with `retries_exhausted`), or a store operation failed. `error` is the last cause.
   */
  onFailure?: (error: EventwireError, unsent: readonly Message[]) => void
  /** Called for every message dropped, with the reason (queue_full, too_large, rejected, retries_exhausted, closed). */
  onDrop?: (messages: readonly Message[], reason: DropReason) => void
}

/** Defaults of {@link BatchConsumerOptions}. */
export const BATCH_DEFAULTS = {
  batchSize: 50,
  flushIntervalMs: 10_000,
  maxConcurrentRequests: 4,
  retryLimit: 20,
  retryBudgetMs: 600_000,
  startOnInit: true,
} as const

/** {@link BatchConsumerOptions} validated, with every default filled in. */
export interface ResolvedBatchOptions {
  readonly parts: DeliveryParts
  readonly store: EventStore
  readonly ownsStore: boolean
  /**
   * Capacity of the store (the memory store this consumer created, or a store exposing
   * `bufferCapacity` and `maxBufferBytes` like every eventwire store); undefined when unknown.
   */
  readonly capacity: { readonly count: number; readonly bytes: number } | undefined
  readonly batchSize: number
  readonly byteLimit: number
  /** Most message bytes one lease may carry, so the encoded request stays within `byteLimit`. */
  readonly leaseBytes: number
  /** Largest single message accepted, in bytes. */
  readonly maxMessageBytes: number
  readonly flushIntervalMs: number
  readonly maxConcurrentRequests: number
  readonly retryLimit: number
  readonly retryBudgetMs: number
  /** How long a lease holds, long enough for one request and its 413 splits. */
  readonly leaseMs: number
  readonly startOnInit: boolean
  readonly onSuccess: BatchConsumerOptions['onSuccess']
  readonly onFailure: BatchConsumerOptions['onFailure']
  readonly onDrop: BatchConsumerOptions['onDrop']
}

/** Validates {@link BatchConsumerOptions}; throws `ConfigError` naming the first bad option. */
export function resolveBatchOptions(options: BatchConsumerOptions = {}): ResolvedBatchOptions {
  const retryLimit = intOption('retryLimit', options.retryLimit, BATCH_DEFAULTS.retryLimit, 0, 1000)
  const flushIntervalMs = intOption(
    'flushIntervalMs',
    options.flushIntervalMs,
    BATCH_DEFAULTS.flushIntervalMs,
    0,
  )
  const maxConcurrentRequests = intOption(
    'maxConcurrentRequests',
    options.maxConcurrentRequests,
    BATCH_DEFAULTS.maxConcurrentRequests,
    1,
    64,
  )
  const retryBudgetMs = intOption('retryBudgetMs', options.retryBudgetMs, BATCH_DEFAULTS.retryBudgetMs, 0)
  const startOnInit = boolOption('startOnInit', options.startOnInit, BATCH_DEFAULTS.startOnInit)
  for (const name of ['onSuccess', 'onFailure', 'onDrop'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ConfigError(name, 'expected a function')
    }
  }
  if (options.store !== undefined && !isStore(options.store)) {
    throw new ConfigError('store', 'expected an EventStore (add, lease, ack, release, size, close)')
  }
  const memory =
    options.store === undefined
      ? new InMemoryEventStore({
          bufferCapacity: options.bufferCapacity,
          maxBufferBytes: options.maxBufferBytes,
          overflow: options.overflow,
          clock: options.clock,
        })
      : undefined
  const store = options.store ?? memory!
  // Built last: the transport owns a connection pool.
  const parts = resolveDeliveryOptions({ ...options, retryLimit })
  const destination = parts.destination
  const maxBatch = Math.min(...ENDPOINTS.map((kind) => destination.maxBatchSize(kind)))
  const batchSize = intOption(
    'batchSize',
    options.batchSize,
    Math.min(BATCH_DEFAULTS.batchSize, maxBatch),
    1,
    maxBatch,
  )
  const byteLimit = intOption(
    'byteLimit',
    options.byteLimit,
    destination.maxRequestBytes,
    64,
    destination.maxRequestBytes,
  )
  // A request is `[` + messages joined by `,` + `]`.
  const framing = batchSize + 1
  const requestMs = parts.transport.requestTimeoutMs
  return {
    parts,
    store,
    ownsStore: memory !== undefined,
    capacity: capacityOf(store),
    batchSize,
    byteLimit,
    leaseBytes: Math.max(1, byteLimit - framing),
    maxMessageBytes: byteLimit - 2,
    flushIntervalMs,
    maxConcurrentRequests,
    retryLimit,
    retryBudgetMs,
    // One attempt, plus up to log2(batchSize) rounds of 413 halving, each one request deep.
    leaseMs: Math.max(60_000, requestMs * (2 * Math.ceil(Math.log2(batchSize + 1)) + 2)),
    startOnInit,
    onSuccess: guard(options.onSuccess, 'onSuccess', parts),
    onFailure: guard(options.onFailure, 'onFailure', parts),
    onDrop: guard(options.onDrop, 'onDrop', parts),
  }
}

/** Wraps a user callback so that one that throws is logged and never breaks delivery. */
function guard<A extends unknown[]>(
  fn: ((...args: A) => void) | undefined,
  name: string,
  parts: DeliveryParts,
): ((...args: A) => void) | undefined {
  if (fn === undefined) return undefined
  return (...args: A) => {
    try {
      fn(...args)
    } catch (error) {
      parts.logger.error({ err: error, callback: name }, 'eventwire: a callback threw')
    }
  }
}

function capacityOf(store: EventStore): ResolvedBatchOptions['capacity'] {
  const { bufferCapacity, maxBufferBytes } = store as { bufferCapacity?: unknown; maxBufferBytes?: unknown }
  if (typeof bufferCapacity !== 'number' || typeof maxBufferBytes !== 'number') return undefined
  return { count: bufferCapacity, bytes: maxBufferBytes }
}

function isStore(value: unknown): value is EventStore {
  if (typeof value !== 'object' || value === null) return false
  const store = value as Record<string, unknown>
  return ['add', 'lease', 'ack', 'release', 'size', 'close'].every((m) => typeof store[m] === 'function')
}
