import { checkOptions, intOption, optionList, RETRY_DEFAULTS } from '../internal/index.js'
import { type DropReason, ENDPOINTS, type Endpoint, type Message } from '../message/index.js'
import { batchConsumerOnly } from './batch-options.js'
import type { CloseOptions, CloseResult, EventConsumer, FlushOptions } from './consumer.js'
import { DeliveryEngine } from './engine.js'
import { EngineEmitter, type EngineStats } from './engine-events.js'
import { ENGINE_OPTIONS, type EngineOptions, resolveEngineSettings } from './engine-settings.js'
import { handled, markSafeConsumer } from './handled.js'

/** Options of {@link BufferedConsumer}. */
export interface BufferedConsumerOptions extends EngineOptions {
  /**
   * Messages buffered per endpoint before that endpoint is flushed automatically, and
   * messages per request. At most 2000, Mixpanel's per-request limit.
   * @default 50
   */
  maxSize?: number
}

/** The names of {@link BufferedConsumerOptions}. */
export const BUFFERED_CONSUMER_OPTIONS = optionList<BufferedConsumerOptions>()({
  ...ENGINE_OPTIONS,
  maxSize: true,
})

/** Options of `BatchConsumer` a `BufferedConsumer` does not take, and where they go. */
const BATCH_ONLY = batchConsumerOnly(
  ['byteLimit', 'flushIntervalMs', 'maxConcurrentRequests', 'retryBudgetMs', 'store', 'startOnInit'],
  'a BufferedConsumer sends on flush() or at maxSize',
)

/** Defaults of {@link BufferedConsumerOptions}. */
export const BUFFERED_DEFAULTS = { maxSize: 50, maxConcurrentRequests: 4 } as const

/**
 * Keeps messages until `flush()`, or until `maxSize` of one endpoint wait and that endpoint is
 * flushed (seed
 * "BufferedConsumer"). Call `flush()` or `close()` before the process ends (if you do not, the
 * buffered messages are sent when the process is about to end, see `exitTimeoutMs`).
 *
 * On failure only the undelivered messages stay buffered: messages already delivered in the same
 * flush are not sent again, and messages refused for good (HTTP 4xx, `failed_records`) are
 * dropped, counted and reported. The error (`DeliveryError`/`MixpanelError`/`ImportError`)
 * carries both. Safe under concurrent `send()` during a flush: nothing is lost and nothing is sent
 * twice.
 */
export class BufferedConsumer extends EngineEmitter implements EventConsumer {
  readonly maxSize: number
  readonly #engine: DeliveryEngine

  /** @throws {ConfigError} for an unknown, conflicting or invalid option. */
  constructor(options: BufferedConsumerOptions = {}) {
    super()
    checkOptions(options, BUFFERED_CONSUMER_OPTIONS, 'BufferedConsumer', { elsewhere: BATCH_ONLY })
    this.maxSize = intOption('maxSize', options.maxSize, BUFFERED_DEFAULTS.maxSize, 1, 2000)
    markSafeConsumer(this)
    this.#engine = new DeliveryEngine(
      resolveEngineSettings(
        'manual',
        { ...options, batchSize: this.maxSize },
        {
          batchSize: this.maxSize,
          flushIntervalMs: 0,
          maxConcurrentRequests: BUFFERED_DEFAULTS.maxConcurrentRequests,
          retryLimit: RETRY_DEFAULTS.retryLimit,
          retryBudgetMs: 0,
        },
      ),
      this,
    )
  }

  /** Counts and reports messages dropped before they reached this consumer (see `EventConsumer.drop`). */
  drop(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    this.#engine.drop(messages, reason, error, endpoint)
  }

  /** A snapshot of the counters. */
  stats(): EngineStats & { buffered: number } {
    return { ...this.#engine.stats(), buffered: this.buffered() }
  }

  /** Messages waiting to be sent (for one endpoint, or all). */
  buffered(endpoint?: Endpoint): number {
    if (endpoint !== undefined) return this.#engine.buffered(endpoint)
    return ENDPOINTS.reduce((n, e) => n + this.#engine.buffered(e), 0)
  }

  /**
   * Buffers the message(s); resolves once they are buffered. When the endpoint's buffer reaches
   * `maxSize`, that endpoint is flushed and the call settles with that flush (so a failure may
   * concern messages buffered by earlier calls).
   */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    const stored = this.#engine.send(endpoint, message, 'stored')
    return handled(
      stored.then(() =>
        this.#engine.buffered(endpoint) >= this.maxSize ? this.#engine.flushRound(endpoint) : undefined,
      ),
    )
  }

  /**
   * Sends everything buffered. Rejects when anything could not be delivered (the undelivered stay
   * buffered for the next flush) or was refused (dropped and reported); the error lists both.
   */
  flush(options: FlushOptions = {}): Promise<void> {
    return this.#engine.flushRound(undefined, options.signal)
  }

  /**
   * Stops intake and flushes; at `timeoutMs` in-flight requests are aborted and whatever is still
   * buffered is reported as `pending`. Idempotent; never rejects.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    return this.#engine.closeWith(options, 'BufferedConsumer.close')
  }

  /** `close()`, for `await using consumer = new BufferedConsumer(...)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }
}
