import { performance } from 'node:perf_hooks'
import type { BatchOutcome, Destination } from '../destinations/index.js'
import { DeliveryError, type EventwireError } from '../errors/index.js'
import { type Clock, type RetryPolicy, redactHeaders } from '../internal/index.js'
import type { Endpoint, Message } from '../message/index.js'
import type { EventStore, Lease } from '../stores/index.js'
import { describeTarget, type Transport } from '../transport/index.js'
import { asDeliveryError, deliverySubject, retryCause } from './delivery-report.js'
import type { Ledger } from './ledger.js'
import type { EngineMetrics } from './metrics.js'
import type { Pause } from './pause.js'

/** Messages of one lease not settled yet. */
interface Flight {
  left: number
}

/** What the dispatcher needs to know about the consumer it works for. */
export interface DispatchSettings {
  /** Retries per message after its first attempt. */
  readonly retryLimit: number
  /** Longest time after a message was built that it is still retried (0: no limit). */
  readonly retryBudgetMs: number
  /**
   * What happens to messages whose retries ran out: `'drop'` counts them as failed
   * (`retries_exhausted`); `'park'` keeps them for the next flush (`BufferedConsumer`).
   */
  readonly exhausted: 'drop' | 'park'
}

/**
 * Sends one lease: one request (encode → transport → classify), then settles each message with
 * the store and the ledger — acknowledges what was delivered or refused for good, sends 413 halves
 * at once down to single messages, and releases retryable messages to the store with a backoff
 * `notBefore` (which also pauses the destination). A message whose retries ran out, or whose error
 * cannot succeed on retry, is dropped as `retries_exhausted` or parked.
 */
export class Dispatcher {
  readonly #destination: Destination
  readonly #transport: Transport
  readonly #policy: RetryPolicy
  readonly #clock: Clock
  readonly #store: EventStore
  readonly #ledger: Ledger
  readonly #pause: Pause
  readonly #settings: DispatchSettings
  readonly #signal: AbortSignal
  readonly #metrics: EngineMetrics
  #requests = 0
  #messages = 0

  constructor(parts: {
    destination: Destination
    transport: Transport
    policy: RetryPolicy
    clock: Clock
    store: EventStore
    ledger: Ledger
    pause: Pause
    settings: DispatchSettings
    signal: AbortSignal
    metrics: EngineMetrics
  }) {
    this.#metrics = parts.metrics
    this.#destination = parts.destination
    this.#transport = parts.transport
    this.#policy = parts.policy
    this.#clock = parts.clock
    this.#store = parts.store
    this.#ledger = parts.ledger
    this.#pause = parts.pause
    this.#settings = parts.settings
    this.#signal = parts.signal
  }

  /** Leases being sent (one request each, 413 halves included). */
  get requestsInFlight(): number {
    return this.#requests
  }

  /** Messages of the leases being sent that are not settled yet. */
  get messagesInFlight(): number {
    return this.#messages
  }

  /**
   * Settles `lease`. Resolves with when the earliest message released for a retry is due (ms since
   * epoch), if any. Never rejects: a failed store call is reported and the lease lapses.
   */
  async settle(lease: Lease, epoch: number): Promise<number | undefined> {
    const messages = lease.items.map((item) => item.message)
    const flight = { left: messages.length }
    this.#requests++
    this.#messages += messages.length
    try {
      return await this.#send(lease, messages, epoch, flight)
    } catch (error) {
      this.#ledger.storeFailed(lease.kind, 'settle', error)
      return undefined
    } finally {
      if (flight.left > 0) this.#land(flight, flight.left)
    }
  }

  /**
   * `count` messages of a lease leave flight (settled, or back in the store); the request is over
   * with the last. Done before the ledger hears of them, so a flush that resolves then sees
   * nothing in flight.
   */
  #land(flight: Flight, count: number): void {
    if (count === 0 || flight.left === 0) return
    flight.left -= count
    this.#messages -= count
    if (flight.left === 0) this.#requests--
  }

  /** Returns a lease untouched (taken while stopping). */
  async giveBack(lease: Lease): Promise<void> {
    const ids = lease.items.map((i) => i.message.id)
    await this.#store.release(lease, ids, this.#clock.now()).catch((error: unknown) => {
      this.#ledger.storeFailed(lease.kind, 'release', error)
    })
  }

  /** One request for `messages` (a lease, or a 413 half of one), and what follows from its outcome. */
  async #send(
    lease: Lease,
    messages: readonly Message[],
    epoch: number,
    flight: Flight,
  ): Promise<number | undefined> {
    const outcome = await this.attempt(lease.kind, messages)
    if (outcome.delivered.length > 0) this.#pause.succeeded()
    if (outcome.delivered.length > 0 || outcome.rejected.length > 0) {
      const final = [...outcome.delivered, ...outcome.rejected.map((r) => r.message)]
      // Final whatever the acknowledgement does: if it failed, the store may lease them again.
      const acked = await this.#ack(lease, final)
      this.#land(flight, final.length)
      this.#ledger.delivered(lease.kind, outcome.delivered, outcome.status, outcome.bodyBytes)
      this.#ledger.rejected(outcome.rejected)
      if (!acked) this.#ledger.mayReturn(final)
    }
    let due: number | undefined
    if (outcome.split.length > 0) {
      // A single message answered 413 comes back from the destination as rejected `too_large`.
      const half = Math.ceil(outcome.split.length / 2)
      due = earliest(due, await this.#send(lease, outcome.split.slice(0, half), epoch, flight))
      due = earliest(due, await this.#send(lease, outcome.split.slice(half), epoch, flight))
    }
    if (outcome.retry.length > 0) due = earliest(due, await this.#retry(lease, outcome, epoch, flight))
    return due
  }

  /**
   * One request for a non-empty batch of one kind. Never throws: a batch that cannot be encoded is
   * rejected, a request that got no answer is to be retried.
   */
  async attempt(kind: Endpoint, messages: readonly Message[]): Promise<BatchOutcome & { bodyBytes: number }> {
    let request: Awaited<ReturnType<Destination['encode']>>
    try {
      request = await this.#destination.encode(kind, messages)
    } catch (error) {
      const err = asDeliveryError(error, kind, this.#destination)
      const rejected = messages.map((message) => ({ message, reason: 'rejected' as const, error: err }))
      return { delivered: [], rejected, retry: [], split: [], bodyBytes: 0 }
    }
    this.#ledger.request({
      destination: this.#destination.name,
      endpoint: kind,
      url: describeTarget(request).slice(request.method.length + 1),
      method: request.method,
      headers: redactHeaders(request.headers),
      bodyBytes: request.bodyBytes,
      messageCount: messages.length,
    })
    const started = performance.now()
    try {
      const response = await this.#transport.send(request, this.#signal)
      this.#metrics.requestDuration((performance.now() - started) / 1000, kind)
      const outcome = this.#destination.classify(kind, messages, response, this.#policy, this.#clock.now())
      return { ...outcome, bodyBytes: request.bodyBytes }
    } catch (error) {
      this.#metrics.requestDuration((performance.now() - started) / 1000, kind)
      const retryError = asDeliveryError(error, kind, this.#destination)
      return { delivered: [], rejected: [], retry: messages, split: [], retryError, bodyBytes: 0 }
    }
  }

  async #retry(
    lease: Lease,
    outcome: BatchOutcome,
    epoch: number,
    flight: Flight,
  ): Promise<number | undefined> {
    const kind = lease.kind
    const now = this.#clock.now()
    if (this.#signal.aborted) {
      // Cut by close()'s deadline: back to the store, still pending.
      if (await this.#release(lease, outcome.retry, now)) this.#land(flight, outcome.retry.length)
      return undefined
    }
    const cause = retryCause(outcome, this.#destination)
    const attempts = new Map<string, number>()
    for (const item of lease.items) attempts.set(item.message.id, item.attempts)
    const { retryLimit, retryBudgetMs } = this.#settings
    const again: Message[] = []
    const spent: Message[] = []
    let retryNo = 1
    for (const m of outcome.retry) {
      const done = attempts.get(m.id) ?? 0
      const over = done >= retryLimit || (retryBudgetMs > 0 && now - m.createdAt >= retryBudgetMs)
      if (over || !cause.retryable) spent.push(m)
      else {
        again.push(m)
        retryNo = Math.max(retryNo, done + 1)
      }
    }
    let due: number | undefined
    if (again.length > 0) {
      const delayMs = this.#pause.failed(retryNo, outcome.retryAfterMs, epoch, now)
      if (await this.#release(lease, again, now + delayMs)) {
        this.#land(flight, again.length)
        this.#ledger.retrying(kind, retryNo, delayMs, outcome.status, cause, again.length)
        due = now + delayMs
      }
    }
    if (spent.length > 0) {
      const acked = await this.#ack(lease, spent)
      this.#land(flight, spent.length)
      this.#giveUp(kind, spent, cause, outcome.status)
      if (!acked) this.#ledger.mayReturn(spent)
    }
    return due
  }

  /** Messages whose retries are spent: dropped as failed, or kept for the next flush. */
  #giveUp(
    kind: Endpoint,
    messages: readonly Message[],
    cause: EventwireError,
    status: number | undefined,
  ): void {
    if (this.#settings.exhausted === 'park') {
      this.#ledger.parked(kind, messages, cause)
      return
    }
    const error = new DeliveryError(
      'EVENTWIRE_RETRIES_EXHAUSTED',
      `${deliverySubject(this.#destination, kind)}: ${messages.length} message(s) not delivered within their retry budget: ${cause.message}`,
      { endpoint: kind, status, cause, messages },
    )
    this.#ledger.exhausted(kind, messages, error)
  }

  async #ack(lease: Lease, messages: readonly Message[]): Promise<boolean> {
    try {
      await this.#store.ack(
        lease,
        messages.map((m) => m.id),
      )
      return true
    } catch (error) {
      // The lease lapses and the messages may be sent again: at-least-once.
      this.#ledger.storeFailed(lease.kind, 'ack', error, messages)
      return false
    }
  }

  async #release(lease: Lease, messages: readonly Message[], notBefore: number): Promise<boolean> {
    try {
      await this.#store.release(
        lease,
        messages.map((m) => m.id),
        notBefore,
      )
      return true
    } catch (error) {
      this.#ledger.storeFailed(lease.kind, 'release', error, messages)
      return false
    }
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return Math.min(a, b)
}
