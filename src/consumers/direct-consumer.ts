import { checkOptions, optionList, RETRY_DEFAULTS } from '../internal/index.js'
import type { DropReason, Endpoint, Message } from '../message/index.js'
import { batchConsumerOnly } from './batch-options.js'
import type { CloseOptions, CloseResult, EventConsumer, FlushOptions } from './consumer.js'
import { DeliveryEngine } from './engine.js'
import { EngineEmitter, type EngineStats } from './engine-events.js'
import { ENGINE_OPTIONS, type EngineOptions, resolveEngineSettings } from './engine-settings.js'
import { markSafeConsumer } from './handled.js'

/** Options of {@link Consumer}. */
export interface ConsumerOptions extends EngineOptions {
  /** Requests in flight at once. @default 16 */
  maxConcurrentRequests?: number
}

/** The names of {@link ConsumerOptions}. */
export const CONSUMER_OPTIONS = optionList<ConsumerOptions>()({
  ...ENGINE_OPTIONS,
  maxConcurrentRequests: true,
})

/** Options of `BatchConsumer` a `Consumer` does not take, and where they go. */
const BATCH_ONLY = batchConsumerOnly(
  ['batchSize', 'byteLimit', 'flushIntervalMs', 'retryBudgetMs', 'store', 'startOnInit'],
  'a Consumer sends every call at once',
)

/** Defaults of {@link ConsumerOptions}. */
export const CONSUMER_DEFAULTS = {
  maxConcurrentRequests: 16,
  retryLimit: RETRY_DEFAULTS.retryLimit,
} as const

/**
 * Sends each call as soon as it is made and resolves when the destination answered (seed
 * "Consumer"). Calls made in the same turn of the event loop may share a request (up to the
 * destination's limit, 2000 for Mixpanel). Retries network errors, timeouts, 408/429/5xx
 * (honouring `Retry-After`) with jittered exponential backoff; never retries 400/401/403/413.
 *
 * `send` rejects with a `MixpanelError` (or `ImportError` for refused `/import` records) carrying
 * the endpoint, HTTP status, `retryable` and the undelivered messages. While a call waits for its
 * answer (a retry backoff included), the process stays alive.
 */
export class Consumer extends EngineEmitter implements EventConsumer {
  readonly #engine: DeliveryEngine

  /** @throws {ConfigError} for an unknown, conflicting or invalid option. */
  constructor(options: ConsumerOptions = {}) {
    super()
    checkOptions(options, CONSUMER_OPTIONS, 'Consumer', { elsewhere: BATCH_ONLY })
    markSafeConsumer(this)
    this.#engine = new DeliveryEngine(
      resolveEngineSettings('immediate', options, {
        batchSize: Number.MAX_SAFE_INTEGER,
        flushIntervalMs: 0,
        maxConcurrentRequests: CONSUMER_DEFAULTS.maxConcurrentRequests,
        retryLimit: CONSUMER_DEFAULTS.retryLimit,
        retryBudgetMs: 0,
      }),
      this,
    )
  }

  /** Counts and reports messages dropped before they reached this consumer (see `EventConsumer.drop`). */
  drop(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    this.#engine.drop(messages, reason, error, endpoint)
  }

  /** A snapshot of the counters. */
  stats(): EngineStats {
    return this.#engine.stats()
  }

  /** Sends now; resolves once delivered, rejects once it finally failed. */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    return this.#engine.send(endpoint, message, 'final')
  }

  /**
   * Resolves when every send started before the call has settled. Never rejects, unless its
   * `signal` aborts first (delivery goes on).
   */
  flush(options: FlushOptions = {}): Promise<void> {
    return this.#engine.flush(true, options.signal)
  }

  /**
   * Stops intake, waits up to `timeoutMs` for requests in flight, then aborts them. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    return this.#engine.closeWith(options, 'Consumer.close')
  }

  /** `close()`, for `await using consumer = new Consumer(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
