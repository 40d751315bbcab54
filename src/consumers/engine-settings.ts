import { requestBytes } from '../destinations/index.js'
import { ConfigError } from '../errors/index.js'
import { boolOption, intOption, optionList } from '../internal/index.js'
import { ENDPOINTS } from '../message/index.js'
import {
  type EventStore,
  InMemoryEventStore,
  STORE_CAPACITY_OPTIONS,
  type StoreCapacityOptions,
} from '../stores/index.js'
import type { BatchMode } from './batcher.js'
import {
  DELIVERY_DEFAULTS,
  DELIVERY_OPTIONS,
  type DeliveryOptions,
  type DeliveryParts,
  resolveDeliveryOptions,
} from './delivery-options.js'
import type { LedgerCallbacks } from './engine-events.js'
import type { MeterProviderLike } from './metrics.js'

/** Options every consumer built on the delivery engine takes, besides {@link DeliveryOptions}. */
export interface EngineOptions extends DeliveryOptions, StoreCapacityOptions, LedgerCallbacks {
  /**
   * When the process is about to end (its event loop is empty) while this consumer still holds
   * accepted messages and `close()` was not called, the consumer is closed with this deadline, in
   * milliseconds, keeping the process alive until its messages are delivered or the deadline
   * passes; what is left is reported on the logger. `0` only reports.
   * @default 10000
   */
  exitTimeoutMs?: number
  /**
   * Where the OpenTelemetry metrics go (docs/observability.md): a `MeterProvider`, or `false` for
   * none. @default the global MeterProvider of `@opentelemetry/api`, when that optional package is
   * installed (register yours before building the consumer); otherwise none
   */
  meterProvider?: MeterProviderLike | false
}

/** The names of {@link EngineOptions}: what every consumer built on the delivery engine takes. */
export const ENGINE_OPTIONS = optionList<EngineOptions>()({
  ...DELIVERY_OPTIONS,
  ...STORE_CAPACITY_OPTIONS,
  onSuccess: true,
  onFailure: true,
  onDrop: true,
  exitTimeoutMs: true,
  meterProvider: true,
})

/** Every setting of a delivery engine, validated, defaults filled in. */
export interface EngineSettings {
  readonly mode: BatchMode
  readonly parts: DeliveryParts
  readonly store: EventStore
  /** The engine built its store, so it closes it. */
  readonly ownsStore: boolean
  /** Capacity of the store, when known (`bufferCapacity` and `maxBufferBytes`). */
  readonly capacity: { readonly count: number; readonly bytes: number } | undefined
  /** Messages per request. */
  readonly batchSize: number
  /**
   * Messages per request while a backlog of more than two batches of one kind waits (`background`):
   * the destination's own limit, so that delivery catches up with fewer, larger requests.
   */
  readonly maxBatchSize: number
  /** Most message bytes of a lease of `count` messages, so that its request stays within `byteLimit`. */
  leaseBytesFor(count: number): number
  /** Most body bytes per request, before compression. */
  readonly byteLimit: number
  /** Largest single message accepted, in bytes. */
  readonly maxMessageBytes: number
  /** How long a lease holds, long enough for one request and its 413 splits. */
  readonly leaseMs: number
  readonly flushIntervalMs: number
  readonly maxConcurrentRequests: number
  readonly retryLimit: number
  readonly retryBudgetMs: number
  readonly startOnInit: boolean
  readonly exitTimeoutMs: number
  readonly meterProvider: MeterProviderLike | false | undefined
  readonly callbacks: LedgerCallbacks
}

/** The numbers one kind of consumer starts from. */
export interface EngineDefaults {
  readonly batchSize: number
  readonly flushIntervalMs: number
  readonly maxConcurrentRequests: number
  readonly retryLimit: number
  readonly retryBudgetMs: number
}

/** Defaults shared by every consumer. */
export const ENGINE_DEFAULTS = { exitTimeoutMs: 10_000, startOnInit: true } as const

/**
 * Validates the options of a consumer working in `mode` and builds its parts (destination,
 * transport, retry policy, store). @throws {ConfigError} naming the first bad option.
 */
export function resolveEngineSettings(
  mode: BatchMode,
  options: EngineOptions & {
    batchSize?: number
    byteLimit?: number
    flushIntervalMs?: number
    maxConcurrentRequests?: number
    retryBudgetMs?: number
    store?: EventStore
    startOnInit?: boolean
  },
  defaults: EngineDefaults,
): EngineSettings {
  const retryLimit = intOption('retryLimit', options.retryLimit, defaults.retryLimit, 0, 1000)
  const flushIntervalMs = intOption('flushIntervalMs', options.flushIntervalMs, defaults.flushIntervalMs, 0)
  const maxConcurrentRequests = intOption(
    'maxConcurrentRequests',
    options.maxConcurrentRequests,
    defaults.maxConcurrentRequests,
    1,
    64,
  )
  const retryBudgetMs = intOption('retryBudgetMs', options.retryBudgetMs, defaults.retryBudgetMs, 0)
  const startOnInit = boolOption('startOnInit', options.startOnInit, ENGINE_DEFAULTS.startOnInit)
  const exitTimeoutMs = intOption('exitTimeoutMs', options.exitTimeoutMs, ENGINE_DEFAULTS.exitTimeoutMs, 0)
  for (const name of ['onSuccess', 'onFailure', 'onDrop'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new ConfigError(name, 'expected a function')
    }
  }
  if (options.store !== undefined && !isStore(options.store)) {
    throw new ConfigError('store', 'expected an EventStore (add, lease, ack, release, size, close)')
  }
  if (options.store !== undefined) {
    // A store you build has its own capacity: these would configure the memory store it replaces.
    const conflict = Object.keys(STORE_CAPACITY_OPTIONS).find(
      (key) => options[key as keyof StoreCapacityOptions] !== undefined,
    )
    if (conflict !== undefined) {
      throw new ConfigError(
        conflict,
        `cannot be combined with "store": give it to the store you build (e.g. SqliteEventStore.open({ ${conflict} }))`,
      )
    }
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
    Math.min(defaults.batchSize, maxBatch),
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
  // Sized for the widest framing of any kind, so that every request stays within byteLimit.
  const framings = ENDPOINTS.map((kind) => destination.framing(kind))
  const fixed = Math.max(...framings.map((f) => f.fixed))
  const perMessage = Math.max(...framings.map((f) => f.perMessage))
  const framing = { fixed, perMessage }
  const maxMessageBytes = byteLimit - requestBytes(framing, 1, 0)
  if (maxMessageBytes < 1) throw new ConfigError('byteLimit', `too small for ${destination.name} requests`)
  const requestMs = parts.transport.requestTimeoutMs ?? DELIVERY_DEFAULTS.requestTimeoutMs
  return {
    mode,
    parts,
    store,
    ownsStore: memory !== undefined,
    capacity: capacityOf(store),
    batchSize,
    maxBatchSize: Math.max(batchSize, maxBatch),
    leaseBytesFor: (count) => Math.max(1, byteLimit - requestBytes(framing, count, 0)),
    byteLimit,
    maxMessageBytes,
    // One attempt, plus up to log2(count) rounds of 413 halving, each one request deep.
    leaseMs: Math.max(60_000, requestMs * (2 * Math.ceil(Math.log2(Math.max(batchSize, maxBatch) + 1)) + 2)),
    flushIntervalMs,
    maxConcurrentRequests,
    retryLimit,
    retryBudgetMs,
    startOnInit,
    exitTimeoutMs,
    meterProvider: meterProviderOption(options.meterProvider),
    callbacks: { onSuccess: options.onSuccess, onFailure: options.onFailure, onDrop: options.onDrop },
  }
}

function meterProviderOption(value: unknown): MeterProviderLike | false | undefined {
  if (value === undefined || value === false) return value
  if (typeof (value as MeterProviderLike)?.getMeter !== 'function') {
    throw new ConfigError('meterProvider', 'expected an OpenTelemetry MeterProvider (with getMeter) or false')
  }
  return value as MeterProviderLike
}

function capacityOf(store: EventStore): EngineSettings['capacity'] {
  const { bufferCapacity, maxBufferBytes } = store
  if (typeof bufferCapacity !== 'number' || typeof maxBufferBytes !== 'number') return undefined
  return { count: bufferCapacity, bytes: maxBufferBytes }
}

function isStore(value: unknown): value is EventStore {
  if (typeof value !== 'object' || value === null) return false
  const store = value as Record<string, unknown>
  return ['add', 'lease', 'ack', 'release', 'size', 'close'].every((m) => typeof store[m] === 'function')
}
