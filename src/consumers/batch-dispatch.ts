import type { BatchOutcome } from '../destinations/index.js'
import {
  DeliveryError,
  type EventwireError,
  isEventwireError,
  type RejectedMessage,
} from '../errors/index.js'
import type { DropReason, Endpoint, Message } from '../internal/index.js'
import type { EventStore, Lease } from '../stores/index.js'
import type { ResolvedBatchOptions } from './batch-options.js'
import { type Delivery, retryCause } from './delivery.js'
import type { FlushTracker } from './flush-tracker.js'

/** What settling a lease needs from the scheduler that owns the destination's pause. */
export interface DispatchControl {
  /** Aborted at close()'s deadline. */
  readonly signal: AbortSignal
  /**
   * The wait before retry number `retryNo` of a request dispatched in `epoch`, which also pauses
   * the destination for that long.
   */
  backoff(retryNo: number, retryAfterMs: number | undefined, epoch: number, now: number): number
  /** A request delivered something: the failure streak is over. */
  succeeded(): void
  /** Pump again at `at` (ms since epoch). */
  wake(at: number): void
  /** `count` messages of a lease left flight (final, or back in the store). */
  landed(count: number): void
  /** Every message of a lease landed (called once per lease). */
  finished(): void
}

/** Messages of one lease still in flight. */
interface Flight {
  left: number
  finished: boolean
}

/**
 * Settles one lease through `Delivery`: one request; then acknowledges what was delivered or
 * refused (reported to `onSuccess` / `onDrop`), sends 413 halves at once down to single messages,
 * and releases retryable messages to the store with a backoff `notBefore` — or, when a message's
 * retry budget (`retryLimit` retries, `retryBudgetMs` since it was built) is spent or the error
 * is not retryable, drops it as `retries_exhausted` and reports it to `onFailure`.
 */
export class BatchDispatcher {
  readonly #delivery: Delivery
  readonly #store: EventStore
  readonly #tracker: FlushTracker
  readonly #options: ResolvedBatchOptions
  readonly #control: DispatchControl

  constructor(
    delivery: Delivery,
    tracker: FlushTracker,
    options: ResolvedBatchOptions,
    control: DispatchControl,
  ) {
    this.#delivery = delivery
    this.#store = options.store
    this.#tracker = tracker
    this.#options = options
    this.#control = control
  }

  /** Settles `lease`; never rejects (store failures are reported, and the lease lapses). */
  async settle(lease: Lease, epoch: number): Promise<void> {
    const flight: Flight = { left: lease.items.length, finished: false }
    try {
      await this.#attempt(
        lease,
        lease.items.map((item) => item.message),
        epoch,
        flight,
      )
    } catch (error) {
      reportStoreFailure(this.#delivery, this.#options, error, 'settle', lease.kind, [])
    } finally {
      if (flight.left > 0) this.#land(flight, flight.left)
    }
  }

  #land(flight: Flight, count: number): void {
    flight.left -= count
    this.#control.landed(count)
    if (flight.left === 0 && !flight.finished) {
      flight.finished = true
      this.#control.finished()
    }
  }

  /** Returns a lease untouched (taken while stopping). */
  async giveBack(lease: Lease): Promise<void> {
    await this.#release(
      lease,
      lease.items.map((i) => i.message),
      this.#delivery.clock.now(),
    )
  }

  /** One request for `messages` (all of `lease`, or a 413 half of it), and what follows from its outcome. */
  async #attempt(lease: Lease, messages: readonly Message[], epoch: number, flight: Flight): Promise<void> {
    const outcome = await this.#delivery.attempt(lease.kind, messages, this.#control.signal)
    if (outcome.delivered.length > 0) this.#control.succeeded()
    if (outcome.delivered.length > 0 || outcome.rejected.length > 0) {
      const final = [...outcome.delivered, ...outcome.rejected.map((r) => r.message)]
      if (await this.#ack(lease, final)) {
        this.#land(flight, final.length)
        this.#tracker.settle(final)
        if (outcome.delivered.length > 0) this.#options.onSuccess?.(outcome.delivered)
        if (outcome.rejected.length > 0) this.#notifyDrops(outcome.rejected)
      }
    }
    if (outcome.split.length > 0) {
      // A single message answered 413 comes back from the destination as rejected `too_large`.
      const half = Math.ceil(outcome.split.length / 2)
      await this.#attempt(lease, outcome.split.slice(0, half), epoch, flight)
      await this.#attempt(lease, outcome.split.slice(half), epoch, flight)
    }
    if (outcome.retry.length > 0) await this.#retry(lease, outcome, epoch, flight)
  }

  async #retry(lease: Lease, outcome: BatchOutcome, epoch: number, flight: Flight): Promise<void> {
    const kind = lease.kind
    const now = this.#delivery.clock.now()
    if (this.#control.signal.aborted) {
      // Cut by close()'s deadline: back to the store, still pending.
      if (await this.#release(lease, outcome.retry, now)) this.#land(flight, outcome.retry.length)
      return
    }
    const cause = retryCause(outcome)
    const attempts = new Map<string, number>()
    for (const item of lease.items) attempts.set(item.message.id, item.attempts)
    const { retryLimit, retryBudgetMs } = this.#options
    const again: Message[] = []
    const exhausted: Message[] = []
    let retryNo = 1
    for (const m of outcome.retry) {
      const done = attempts.get(m.id) ?? 0
      const spent = done >= retryLimit || (retryBudgetMs > 0 && now - m.createdAt >= retryBudgetMs)
      if (spent || !cause.retryable) exhausted.push(m)
      else {
        again.push(m)
        retryNo = Math.max(retryNo, done + 1)
      }
    }
    if (again.length > 0) {
      const delayMs = this.#control.backoff(retryNo, outcome.retryAfterMs, epoch, now)
      if (await this.#release(lease, again, now + delayMs)) {
        this.#land(flight, again.length)
        this.#delivery.reportRetry(kind, retryNo, delayMs, outcome, again.length)
        this.#control.wake(now + delayMs)
      }
    }
    if (exhausted.length > 0 && (await this.#ack(lease, exhausted))) {
      this.#land(flight, exhausted.length)
      const error = new DeliveryError(
        'EVENTWIRE_RETRIES_EXHAUSTED',
        `${kind}: ${exhausted.length} message(s) not delivered within their retry budget: ${cause.message}`,
        { endpoint: kind, status: outcome.status, cause, messages: exhausted },
      )
      this.#delivery.stats.failed += exhausted.length
      reportDrops(this.#delivery, this.#options.onDrop, exhausted, 'retries_exhausted', error)
      this.#delivery.reportFailure(kind, error, exhausted)
      this.#options.onFailure?.(error, exhausted)
      this.#tracker.settle(exhausted)
    }
  }

  #notifyDrops(rejected: readonly RejectedMessage[]): void {
    const onDrop = this.#options.onDrop
    if (onDrop === undefined) return
    const byReason = new Map<DropReason, Message[]>()
    for (const r of rejected) {
      const list = byReason.get(r.reason)
      if (list === undefined) byReason.set(r.reason, [r.message])
      else list.push(r.message)
    }
    for (const [reason, messages] of byReason) onDrop(messages, reason)
  }

  async #ack(lease: Lease, messages: readonly Message[]): Promise<boolean> {
    try {
      await this.#store.ack(
        lease,
        messages.map((m) => m.id),
      )
      return true
    } catch (error) {
      // The lease lapses and the messages are sent again: at-least-once.
      reportStoreFailure(this.#delivery, this.#options, error, 'ack', lease.kind, messages)
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
      reportStoreFailure(this.#delivery, this.#options, error, 'release', lease.kind, messages)
      return false
    }
  }
}

/**
 * Counts, emits and logs drops of `messages` (any kinds) with one reason and error, and calls
 * `onDrop` once with all of them.
 */
export function reportDrops(
  delivery: Delivery,
  onDrop: ((messages: readonly Message[], reason: DropReason) => void) | undefined,
  messages: readonly Message[],
  reason: DropReason,
  error: EventwireError,
): void {
  if (messages.length === 0) return
  const byKind = new Map<Endpoint, RejectedMessage[]>()
  for (const message of messages) {
    const list = byKind.get(message.kind)
    const item = { message, reason, error }
    if (list === undefined) byKind.set(message.kind, [item])
    else list.push(item)
  }
  for (const [kind, items] of byKind) delivery.reportRejected(kind, items)
  onDrop?.(messages, reason)
}

/** Reports a failed store operation (`failure` event, logger, `onFailure`) as `EVENTWIRE_STORE_FAILED`. */
export function reportStoreFailure(
  delivery: Delivery,
  options: Pick<ResolvedBatchOptions, 'onFailure'>,
  error: unknown,
  operation: string,
  kind: Endpoint,
  messages: readonly Message[],
): EventwireError {
  const err: EventwireError = isEventwireError(error)
    ? error
    : new DeliveryError(
        'EVENTWIRE_STORE_FAILED',
        `event store ${operation} failed: ${(error as Error)?.message ?? String(error)}`,
        { endpoint: kind, cause: error, retryable: true, messages },
      )
  delivery.reportFailure(kind, err, messages)
  options.onFailure?.(err, messages)
  return err
}
