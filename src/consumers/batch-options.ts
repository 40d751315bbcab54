import { optionList } from '../internal/index.js'
import type { EventStore } from '../stores/index.js'
import { ENGINE_OPTIONS, type EngineOptions } from './engine-settings.js'

/** Options of {@link BatchConsumer}. Delivery options (hosts, timeouts, retries) apply as for `Consumer`. */
export interface BatchConsumerOptions extends EngineOptions {
  /**
   * Messages per request; a batch is sent as soon as this many of one kind are waiting. When more
   * than two batches wait for each free request slot (a burst outran delivery, or an outage
   * ended), requests carry an even share of what waits, up to `maxBatchSize` (the destination's
   * per-request limit: 2000 for Mixpanel), so that delivery catches up instead of falling behind.
   * At most the destination's limit.
   * @default 50
   */
  batchSize?: number
  /**
   * Most body bytes per request, exact for the destination's framing; a batch is also sent as soon
   * as a full request's worth of one kind is waiting. A single message that cannot fit in a
   * request this size is refused up front with reason `too_large`. At most the destination's cap
   * (2 MiB − 64 KiB for Mixpanel).
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
   * `maxBufferBytes` and `overflow` (those options cannot be combined with `store`: give them to
   * the store you build). A store you pass is not closed by `close()`: close it yourself afterwards.
   */
  store?: EventStore
  /** Start sending in the background at construction; otherwise call `start()`. @default true */
  startOnInit?: boolean
}

/** The names of {@link BatchConsumerOptions}. */
export const BATCH_CONSUMER_OPTIONS = optionList<BatchConsumerOptions>()({
  ...ENGINE_OPTIONS,
  batchSize: true,
  byteLimit: true,
  flushIntervalMs: true,
  maxConcurrentRequests: true,
  retryLimit: true,
  retryBudgetMs: true,
  store: true,
  startOnInit: true,
})

/** Defaults of {@link BatchConsumerOptions}. */
export const BATCH_DEFAULTS = {
  batchSize: 50,
  flushIntervalMs: 10_000,
  maxConcurrentRequests: 4,
  retryLimit: 20,
  retryBudgetMs: 600_000,
  startOnInit: true,
} as const

/**
 * Hints for another consumer's unknown-option errors: each of `names` is an option of
 * `BatchConsumer` only, and `why` says why that consumer does not take it.
 */
export function batchConsumerOnly(
  names: readonly (keyof BatchConsumerOptions)[],
  why: string,
): Readonly<Record<string, string>> {
  return Object.fromEntries(names.map((name) => [name, `an option of BatchConsumer (${why})`]))
}
