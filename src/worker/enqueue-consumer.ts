import {
  adoptAll,
  allBuilt,
  type CloseResult,
  type EventConsumer,
  handled,
  markSafeConsumer,
} from '../consumers/index.js'
import {
  ClosedError,
  ConfigError,
  DeliveryError,
  EventwireError,
  type RejectedMessage,
} from '../errors/index.js'
import { checkOptions, type Logger, type LoggerOption, optionList, resolveLogger } from '../internal/index.js'
import { type DropReason, type Endpoint, isEndpoint, type Message, messageList } from '../message/index.js'
import type { EventStore } from '../stores/index.js'

/** Options of {@link EnqueueConsumer}. */
export interface EnqueueConsumerOptions {
  /**
   * Called with messages the store refused or evicted for lack of room (reason `queue_full`), and
   * with messages handed over that could not be rebuilt as messages (reason `rejected`).
   */
  onDrop?: (messages: readonly Message[], reason: DropReason) => void
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** The names of {@link EnqueueConsumerOptions}. */
export const ENQUEUE_CONSUMER_OPTIONS = optionList<EnqueueConsumerOptions>()({ onDrop: true, logger: true })

/**
 * The producer half of the worker pattern: a consumer that only puts messages into a shared store
 * (usually a `RedisEventStore`), where `eventwire worker` processes deliver them. `track()`
 * resolves once the message is stored; it rejects with the store's error if it could not be.
 * Messages the store drops for lack of room are counted, logged and passed to `onDrop`.
 *
 * `close()` reports `sent` as the messages handed to the store (this consumer's part is done
 * then), `dropped` as those refused for room and `failed` as those whose store call failed. The
 * store is not closed: close it yourself afterwards.
 */
export class EnqueueConsumer implements EventConsumer {
  /** Where messages go. */
  readonly store: EventStore
  readonly #onDrop: EnqueueConsumerOptions['onDrop']
  readonly #logger: Logger
  readonly #pending = new Set<Promise<unknown>>()
  #stored = 0
  #dropped = 0
  #failed = 0
  #closed = false

  /** @throws {ConfigError} for an unknown option, or a `store` that is not an `EventStore`. */
  constructor(store: EventStore, options: EnqueueConsumerOptions = {}) {
    checkOptions(options, ENQUEUE_CONSUMER_OPTIONS, 'EnqueueConsumer')
    if (typeof store?.add !== 'function') {
      throw new ConfigError('store', 'expected an EventStore, e.g. await RedisEventStore.open({ redis })')
    }
    this.store = store
    markSafeConsumer(this)
    this.#onDrop = options.onDrop
    this.#logger = resolveLogger(options.logger)
  }

  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    if (this.#closed) return handled(Promise.reject(new ClosedError('The consumer is closed')))
    if (!isEndpoint(endpoint)) {
      return handled(
        Promise.reject(
          new DeliveryError('EVENTWIRE_UNKNOWN_ENDPOINT', `Unknown endpoint ${JSON.stringify(endpoint)}`),
        ),
      )
    }
    let messages = messageList(message)
    let refused: readonly RejectedMessage[] = []
    if (!allBuilt(messages)) ({ messages, refused } = adoptAll(endpoint, messages))
    const adding = this.store.add(messages).then(
      (result) => {
        this.#stored += result.accepted
        if (refused.length > 0) {
          this.#drop(
            refused.map((r) => r.message),
            'rejected',
          )
          throw refused[0]!.error
        }
        if (result.dropped.length === 0) return
        this.#drop(result.dropped, 'queue_full')
        // The call's messages were not all taken: it must not look accepted.
        throw new DeliveryError(
          'EVENTWIRE_QUEUE_FULL',
          `the shared store is full: ${result.dropped.length} message(s) refused by its overflow policy`,
        )
      },
      (error: unknown) => {
        if (error instanceof EventwireError && error.code === 'EVENTWIRE_QUEUE_FULL') throw error
        this.#failed += messages.length
        this.#logger.error(
          { count: messages.length, err: error },
          'eventwire: messages could not be added to the shared store',
        )
        throw error
      },
    )
    // A caller that does not await sees the failure on the logger, never as an unhandled rejection.
    handled(adding)
    this.#pending.add(adding)
    const forget = () => this.#pending.delete(adding)
    adding.then(forget, forget)
    return adding
  }

  /** Resolves when every message sent so far is stored (or its store call failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  async close(): Promise<CloseResult> {
    this.#closed = true
    await this.flush()
    return { sent: this.#stored, failed: this.#failed, dropped: this.#dropped, pending: 0 }
  }

  /** `close()`, for `await using`. The store is not closed: it was given, its owner closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  #drop(messages: readonly Message[], reason: 'queue_full' | 'rejected'): void {
    this.#dropped += messages.length
    this.#logger.warn(
      { count: messages.length, reason },
      reason === 'queue_full'
        ? 'eventwire: the shared store is full'
        : 'eventwire: a message handed to the consumer could not be rebuilt',
    )
    try {
      this.#onDrop?.(messages, reason)
    } catch (error) {
      this.#logger.error({ err: error, callback: 'onDrop' }, 'eventwire: a callback threw')
    }
  }
}
