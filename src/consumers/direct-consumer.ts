import { setMaxListeners } from 'node:events'
import { EventwireError } from '../errors/index.js'
import { type DropReason, type Endpoint, intOption, isEndpoint, type Message } from '../internal/index.js'
import {
  type CloseOptions,
  type CloseResult,
  type ConsumerEvents,
  type ConsumerStats,
  type EventConsumer,
  totalDropped,
} from './consumer.js'
import { Delivery, reportError } from './delivery.js'
import { type DeliveryOptions, resolveDeliveryOptions } from './delivery-options.js'

/** Options of {@link Consumer}. */
export type ConsumerOptions = DeliveryOptions

/**
 * Sends each call as its own request and resolves when the destination answered (seed "Consumer").
 * Retries network errors, timeouts, 408/429/5xx (honouring `Retry-After`) with jittered
 * exponential backoff; never retries 400/401/403/413.
 *
 * `send` rejects with a `MixpanelError` (or `ImportError` for refused `/import` records) carrying
 * the endpoint, HTTP status, `retryable` and the undelivered messages.
 */
export class Consumer implements EventConsumer {
  readonly #delivery: Delivery
  readonly #inFlight = new Set<Promise<unknown>>()
  readonly #abort = new AbortController()
  #closed: Promise<CloseResult> | undefined
  #pendingAtClose = 0

  constructor(options: ConsumerOptions = {}) {
    this.#delivery = new Delivery(resolveDeliveryOptions(options))
    // Every request in flight listens on this one signal.
    setMaxListeners(0, this.#abort.signal)
  }

  /** Counts and reports messages dropped before they reached this consumer (see `EventConsumer.drop`). */
  drop(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    this.#delivery.reportDropped(endpoint, messages, reason, error)
  }

  /** Subscribes to a notification (`request`, `success`, `retry`, `drop`, `failure`). */
  on<K extends keyof ConsumerEvents>(event: K, listener: (payload: ConsumerEvents[K]) => void): () => void {
    return this.#delivery.events.on(event, listener)
  }

  /** A snapshot of the counters. */
  stats(): ConsumerStats {
    const s = this.#delivery.stats
    return { ...s, dropped: { ...s.dropped } }
  }

  /** Sends now; resolves once delivered, rejects once it finally failed. */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
    if (!isEndpoint(endpoint)) {
      return Promise.reject(
        new EventwireError(
          'EVENTWIRE_UNKNOWN_ENDPOINT',
          `Unknown endpoint ${JSON.stringify(endpoint)}: expected events, people, groups or imports`,
        ),
      )
    }
    const messages = Array.isArray(message) ? (message as readonly Message[]) : [message as Message]
    if (this.#closed !== undefined) {
      this.#delivery.reportRejected(
        endpoint,
        messages.map((m) => ({ message: m, reason: 'closed', error: closedError() })),
      )
      return Promise.reject(closedError())
    }
    if (messages.length === 0) return Promise.resolve()
    const work = this.#deliver(endpoint, messages)
    this.#inFlight.add(work)
    const untrack = () => this.#inFlight.delete(work)
    work.then(untrack, untrack)
    return work
  }

  async #deliver(endpoint: Endpoint, messages: readonly Message[]): Promise<void> {
    const report = await this.#delivery.deliver(endpoint, messages, this.#abort.signal)
    if (report.undelivered.length > 0) {
      this.#delivery.stats.failed += report.undelivered.length
      if (this.#abort.signal.aborted) this.#pendingAtClose += report.undelivered.length
      if (report.error) this.#delivery.reportFailure(endpoint, report.error, report.undelivered)
    }
    const error = reportError(endpoint, report, this.#delivery.destination.name)
    if (error) throw error
  }

  /** Resolves when every send started before the call has settled. Never rejects. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#inFlight])
  }

  /**
   * Stops intake, waits up to `timeoutMs` for requests in flight, then aborts them. Idempotent.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    this.#closed ??= this.#close(intOption('timeoutMs', options.timeoutMs, 10_000, 0))
    return this.#closed
  }

  async #close(timeoutMs: number): Promise<CloseResult> {
    const settled = this.flush()
    const timer = this.#delivery.clock.setTimeout(() => this.#abort.abort(), timeoutMs)
    await settled
    timer.cancel()
    await this.#delivery.transport.close()
    const s = this.#delivery.stats
    return {
      sent: s.sent,
      failed: s.failed - this.#pendingAtClose,
      dropped: totalDropped(s),
      pending: this.#pendingAtClose,
    }
  }
}

function closedError(): EventwireError {
  return new EventwireError('EVENTWIRE_CLOSED', 'The consumer is closed: the message was not accepted')
}
