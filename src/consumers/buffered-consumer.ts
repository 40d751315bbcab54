import { setMaxListeners } from 'node:events'
import { DeliveryError, EventwireError } from '../errors/index.js'
import {
  type DropReason,
  ENDPOINTS,
  type Endpoint,
  intOption,
  isEndpoint,
  type Message,
} from '../internal/index.js'
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

/** Options of {@link BufferedConsumer}. */
export interface BufferedConsumerOptions extends DeliveryOptions {
  /**
   * Messages buffered per endpoint before that endpoint is flushed automatically, and messages per
   * request. At most 2000, Mixpanel's per-request limit.
   * @default 50
   */
  maxSize?: number
}

/**
 * Keeps one buffer per endpoint and sends it in batches when it reaches `maxSize` or on `flush()`
 * (seed "BufferedConsumer"). Call `flush()` or `close()` before the process ends.
 *
 * On failure only the undelivered messages stay buffered: chunks already delivered in the same
 * flush are not sent again, and messages refused for good (HTTP 4xx, `failed_records`) are dropped,
 * counted and reported. The error (`DeliveryError`/`MixpanelError`/`ImportError`) carries both.
 * Safe under concurrent `send()` during a flush: nothing is lost and nothing is sent twice.
 */
export class BufferedConsumer implements EventConsumer {
  readonly maxSize: number
  readonly #delivery: Delivery
  readonly #buffers: Record<Endpoint, Message[]> = { events: [], people: [], groups: [], imports: [] }
  readonly #chains: Record<Endpoint, Promise<void>> = {
    events: Promise.resolve(),
    people: Promise.resolve(),
    groups: Promise.resolve(),
    imports: Promise.resolve(),
  }
  readonly #abort = new AbortController()
  #closed: Promise<CloseResult> | undefined

  constructor(options: BufferedConsumerOptions = {}) {
    this.maxSize = intOption('maxSize', options.maxSize, 50, 1, 2000)
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
  stats(): ConsumerStats & { buffered: number } {
    const s = this.#delivery.stats
    return { ...s, dropped: { ...s.dropped }, buffered: this.buffered() }
  }

  /** Messages waiting in the buffers (for one endpoint, or all). */
  buffered(endpoint?: Endpoint): number {
    if (endpoint !== undefined) return this.#buffers[endpoint].length
    return ENDPOINTS.reduce((n, e) => n + this.#buffers[e].length, 0)
  }

  /**
   * Buffers the message(s). When the endpoint's buffer reaches `maxSize`, flushes it and settles
   * with that flush (so a failure may concern messages buffered by earlier calls).
   */
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
      const error = new EventwireError(
        'EVENTWIRE_CLOSED',
        'The consumer is closed: the message was not accepted',
      )
      this.#delivery.reportRejected(
        endpoint,
        messages.map((m) => ({ message: m, reason: 'closed', error })),
      )
      return Promise.reject(error)
    }
    const buffer = this.#buffers[endpoint]
    for (const m of messages) buffer.push(m)
    return buffer.length >= this.maxSize ? this.#flushEndpoint(endpoint) : Promise.resolve()
  }

  /**
   * Sends everything buffered. Rejects when anything could not be delivered (the undelivered stay
   * buffered for the next flush) or was refused (dropped and reported); the error lists both.
   */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(ENDPOINTS.map((e) => this.#flushEndpoint(e)))
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as EventwireError] : []))
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) {
      throw new DeliveryError(
        'EVENTWIRE_DELIVERY_FAILED',
        `flush failed for ${errors.length} endpoints: ${errors.map((e) => e.message).join(' | ')}`,
        {
          retryable: errors.some((e) => e.retryable),
          cause: errors[0],
          messages: errors.flatMap((e) => (e instanceof DeliveryError ? e.messages : [])),
          rejected: errors.flatMap((e) => (e instanceof DeliveryError ? e.rejected : [])),
        },
      )
    }
  }

  /** Flushes are serialised per endpoint; each one takes what is buffered when it starts. */
  #flushEndpoint(endpoint: Endpoint): Promise<void> {
    const run = this.#chains[endpoint].then(() => this.#drain(endpoint))
    this.#chains[endpoint] = run.catch(() => {})
    return run
  }

  async #drain(endpoint: Endpoint): Promise<void> {
    const buffer = this.#buffers[endpoint]
    if (buffer.length === 0) return
    const taken = buffer.splice(0, buffer.length)
    const chunks = this.#delivery.chunk(endpoint, taken, this.maxSize)
    const delivered: Message[] = []
    const rejected: Parameters<typeof reportError>[1]['rejected'] = []
    for (let i = 0; i < chunks.length; i++) {
      const report = await this.#delivery.deliver(endpoint, chunks[i]!, this.#abort.signal)
      delivered.push(...report.delivered)
      rejected.push(...report.rejected)
      if (report.undelivered.length > 0) {
        // Keep what was not delivered, in order, ahead of anything sent meanwhile.
        const rest = chunks.slice(i + 1).flat()
        buffer.unshift(...report.undelivered, ...rest)
        const kept = [...report.undelivered, ...rest]
        if (report.error) this.#delivery.reportFailure(endpoint, report.error, kept)
        throw reportError(
          endpoint,
          { delivered, rejected, undelivered: kept, error: report.error },
          this.#delivery.destination.name,
        )
      }
    }
    const error = reportError(
      endpoint,
      { delivered, rejected, undelivered: [], error: undefined },
      this.#delivery.destination.name,
    )
    if (error) throw error
  }

  /**
   * Stops intake and flushes; at `timeoutMs` in-flight requests are aborted and whatever is still
   * buffered is reported as `pending`. Idempotent; never rejects.
   */
  close(options: CloseOptions = {}): Promise<CloseResult> {
    this.#closed ??= this.#close(intOption('timeoutMs', options.timeoutMs, 10_000, 0))
    return this.#closed
  }

  async #close(timeoutMs: number): Promise<CloseResult> {
    const timer = this.#delivery.clock.setTimeout(() => this.#abort.abort(), timeoutMs)
    await this.flush().catch(() => {})
    timer.cancel()
    await this.#delivery.transport.close()
    const s = this.#delivery.stats
    const pending = this.buffered()
    return { sent: s.sent, failed: s.failed, dropped: totalDropped(s), pending }
  }
}
