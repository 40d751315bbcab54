import { DeliveryError, EventwireError, type RejectedMessage } from '../errors/index.js'
import { type Logger, TypedEmitter } from '../internal/index.js'
import { type DropReason, ENDPOINTS, type Endpoint, type Message } from '../message/index.js'
import type { CloseResult, ConsumerEvents, ConsumerStats } from './consumer.js'
import { emptyStats, totalDropped } from './consumer.js'
import { type DeliveryReport, type DestinationRef, destinationName, reportError } from './delivery-report.js'
import type { EngineEvents, LedgerCallbacks } from './engine-events.js'
import { type FlushReport, FlushWaiters } from './flush-waiters.js'
import { guard } from './guard.js'
import { MayReturn } from './may-return.js'
import { type EngineMetrics, NO_METRICS } from './metrics.js'
import { promiseSettledBy, type Settles } from './settler.js'
import { ReportTicket, Ticket, Tickets } from './tickets.js'

/**
 * The one place a delivery engine keeps account: every count and stat, the messages outstanding
 * (accepted, not yet final) and their bytes, flush waiters, per-call tickets, and every report —
 * the notifications, the callbacks and the logger. Other parts of the engine say what happened to
 * which messages; nothing else keeps message state.
 */
export class Ledger {
  readonly events: TypedEmitter<EngineEvents>
  readonly #stats: ConsumerStats = emptyStats()
  readonly #logger: Logger
  readonly #destination: DestinationRef
  readonly #callbacks: LedgerCallbacks
  readonly #metrics: EngineMetrics
  #outstanding = 0
  readonly #outstandingByKind: Record<Endpoint, number> = { events: 0, people: 0, groups: 0, imports: 0 }
  #bytes = 0
  readonly #waiters = new FlushWaiters()
  readonly #tickets: Tickets
  readonly #unsure = new MayReturn()

  /**
   * `destination` decides what errors callers see (`MixpanelError`s for Mixpanel's, see
   * `reportError`) and names it in logs. `events` is the emitter notifications go to: the consumer
   * itself, so that users listen on it. `sameObjects`: the store hands back the very messages it
   * was given (the engine's own memory store), so calls find their messages by identity.
   */
  constructor(
    destination: DestinationRef,
    logger: Logger,
    callbacks: LedgerCallbacks = {},
    events: TypedEmitter<EngineEvents> = new TypedEmitter<EngineEvents>(),
    metrics: EngineMetrics = NO_METRICS,
    sameObjects = false,
  ) {
    this.#tickets = new Tickets(sameObjects)
    this.#metrics = metrics
    this.#destination = destination
    this.#logger = logger
    this.#callbacks = {
      onSuccess: guard(callbacks.onSuccess, 'onSuccess', logger),
      onFailure: guard(callbacks.onFailure, 'onFailure', logger),
      onDrop: guard(callbacks.onDrop, 'onDrop', logger),
    }
    this.events = events
  }

  /** Messages accepted and not yet final. */
  get outstanding(): number {
    return this.#outstanding
  }

  /** Bytes of the outstanding messages accepted here (not of those found in a store). */
  get outstandingBytes(): number {
    return this.#bytes
  }

  /** Whether a flush is waiting. */
  get waiting(): boolean {
    return this.#waiters.waiting
  }

  /** A snapshot of the counters. */
  stats(): ConsumerStats {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } }
  }

  /** `close()`'s answer: `failed` is not counted again in `dropped`. */
  closeResult(): CloseResult {
    const s = this.#stats
    return { sent: s.sent, failed: s.failed, dropped: totalDropped(s) - s.failed, pending: this.#outstanding }
  }

  /** Records one message handed to the consumer. Its bytes are added by {@link addBytes} once known. */
  accept(message: Message): void {
    this.#stats.accepted++
    this.#outstanding++
    this.#outstandingByKind[message.kind]++
    this.#waiters.accept(message)
  }

  /** Records `count` messages found in a durable store at start: every flush waits for them too. */
  acceptRecovered(count: number): void {
    this.#stats.accepted += count
    this.#outstanding += count
  }

  /** Adds the bytes of accepted messages, once they are serialised. */
  addBytes(bytes: number): void {
    this.#bytes += bytes
  }

  /**
   * Resolves with what became of `messages` (one call's) once each is final: delivered, refused
   * for good, or out of retries. Never rejects. The process stays alive while any such call waits.
   */
  ticket(messages: readonly Message[]): Promise<DeliveryReport> {
    return new Promise<DeliveryReport>((resolve) => this.#tickets.open(new ReportTicket(messages, resolve)))
  }

  /**
   * Resolves once every message of `messages` (one call's, of `kind`) is delivered, or rejects with
   * the error a caller of a `Consumer` sees (`MixpanelError`, `ImportError`...); the rejection is
   * marked handled, so a caller that does not await it never crashes the process. The process
   * stays alive while any such call waits.
   */
  call(kind: Endpoint, messages: Message | readonly Message[]): Promise<void> {
    const ticket = new CallTicket(messages, kind, this.#destination)
    this.#tickets.open(ticket)
    return ticket.promise
  }

  /** A request is about to leave: counted, and told to `request` listeners. */
  request(payload: ConsumerEvents['request']): void {
    this.#stats.requests++
    if (this.events.listenerCount('request') > 0) this.events.notify('request', payload)
  }

  /** Messages acknowledged by the destination, in a request of `bodyBytes`. */
  delivered(
    kind: Endpoint,
    messages: readonly Message[],
    status: number | undefined,
    bodyBytes: number,
  ): void {
    if (messages.length === 0) return
    this.#stats.sent += messages.length
    this.#stats.bytesSent += bodyBytes
    this.#metrics.sent(messages.length, kind)
    this.events.notify('success', { endpoint: kind, messages, status })
    this.#callbacks.onSuccess?.(messages)
    this.#settle(messages, undefined)
  }

  /**
   * Messages dropped for good, each with its reason and error (any kinds): counted, told to `drop`
   * listeners and `onDrop` (once per reason), logged, and settled.
   */
  rejected(items: readonly RejectedMessage[]): void {
    if (items.length === 0) return
    const byReason = new Map<DropReason, RejectedMessage[]>()
    for (const item of items) {
      const list = byReason.get(item.reason)
      if (list === undefined) byReason.set(item.reason, [item])
      else list.push(item)
    }
    for (const [reason, list] of byReason) this.#report(reason, list)
    this.#settle(
      items.map((i) => i.message),
      items,
    )
    const storeFailed = byReason.get('store_failed')
    if (storeFailed !== undefined) this.mayReturn(storeFailed.map((i) => i.message))
  }

  /**
   * Messages already final that the store may still hand out (its add or acknowledgement got no
   * answer, so it may have been applied, or not): if one reaches a final outcome again, it is
   * counted as accepted again rather than twice as final.
   */
  mayReturn(messages: readonly Message[]): void {
    this.#unsure.add(messages)
  }

  /** Messages dropped for good with one reason and error. */
  dropped(messages: readonly Message[], reason: DropReason, error: EventwireError): void {
    this.rejected(messages.map((message) => ({ message, reason, error })))
  }

  /**
   * Messages whose retries ran out: counted as `failed` and as `retries_exhausted` drops, told to
   * `failure` listeners and `onFailure`.
   */
  exhausted(kind: Endpoint, messages: readonly Message[], error: DeliveryError): void {
    if (messages.length === 0) return
    this.#stats.failed += messages.length
    this.#metrics.failed(messages.length, kind)
    this.events.notify('failure', { endpoint: kind, error, messages })
    this.#callbacks.onFailure?.(error, messages)
    this.dropped(messages, 'retries_exhausted', error)
  }

  /** A retry of `count` messages was scheduled `delayMs` from now, as retry number `attempt`. */
  retrying(
    kind: Endpoint,
    attempt: number,
    delayMs: number,
    status: number | undefined,
    error: Error,
    count: number,
  ): void {
    this.#stats.retried += count
    this.#metrics.retried(count, kind)
    this.events.notify('retry', { endpoint: kind, attempt, delayMs, status, error, messageCount: count })
    this.#logger.debug({ endpoint: kind, attempt, delayMs, status }, 'eventwire: retrying')
  }

  /**
   * Messages not delivered after this flush's retries, kept for the next flush (`BufferedConsumer`):
   * still outstanding, no longer waited for by the flushes that include them.
   */
  parked(kind: Endpoint, messages: readonly Message[], error: EventwireError): void {
    if (messages.length === 0) return
    this.events.notify('failure', { endpoint: kind, error, messages })
    this.#callbacks.onFailure?.(error, messages)
    this.#waiters.parked(messages, error)
    this.#check()
  }

  /** Takes the parked messages back (a new flush sends them again); they stay outstanding. */
  unpark(): Message[] {
    return this.#waiters.unpark()
  }

  /** Messages kept for the next flush (of one kind, or all). */
  parkedCount(kind?: Endpoint): number {
    return this.#waiters.parkedCount(kind)
  }

  /** A store operation failed: told to `failure` listeners, `onFailure` and the logger. */
  storeFailed(
    kind: Endpoint,
    operation: string,
    error: unknown,
    messages: readonly Message[] = [],
  ): EventwireError {
    const err =
      error instanceof EventwireError
        ? error
        : new DeliveryError(
            'EVENTWIRE_STORE_FAILED',
            `event store ${operation} failed: ${(error as Error)?.message ?? String(error)}`,
            { endpoint: kind, cause: error, retryable: true, messages },
          )
    this.events.notify('failure', { endpoint: kind, error: err, messages })
    this.#callbacks.onFailure?.(err, messages)
    this.#logger.error(
      { destination: destinationName(this.#destination), operation, count: messages.length, err },
      `eventwire: the event store failed (${operation}); it is tried again`,
    )
    return err
  }

  /**
   * Sets the outstanding count from an authoritative source (a store that reports itself empty),
   * forgetting what the waiters were told to skip when it is zero.
   */
  reset(outstanding: number): void {
    const before = this.#outstanding
    this.#outstanding = Math.max(0, outstanding)
    if (this.#outstanding === 0) {
      this.#bytes = 0
      for (const kind of ENDPOINTS) this.#outstandingByKind[kind] = 0
      this.#waiters.forget()
    }
    this.#check(before)
  }

  /**
   * Resolves once every message accepted before this call is final (or kept for a later flush).
   * `report()` then tells what became of those messages.
   */
  wait(kind?: Endpoint): { promise: Promise<void>; report(): FlushReport } {
    return this.#waiters.wait(kind, this.#remaining(kind))
  }

  #remaining(kind: Endpoint | undefined): number {
    return kind === undefined ? this.#outstanding : this.#outstandingByKind[kind]
  }

  /**
   * Delivery stopped for good (`close()` finished): waiting flushes resolve, and calls waiting for
   * their messages resolve with those messages undelivered because of `error` (they stay pending).
   */
  stopped(error: EventwireError): void {
    this.#waiters.releaseAll()
    this.#tickets.stop(error)
  }

  /** Told when the last outstanding message became final. */
  #drained(): void {
    if (this.events.listenerCount('drained') === 0) return
    const s = this.#stats
    this.events.notify('drained', { sent: s.sent, failed: s.failed, dropped: totalDropped(s) - s.failed })
  }

  #report(reason: DropReason, items: readonly RejectedMessage[]): void {
    this.#stats.dropped[reason] += items.length
    const messages = items.map((i) => i.message)
    const error = items[0]!.error
    const byKind = new Map<Endpoint, Message[]>()
    for (const m of messages) {
      const list = byKind.get(m.kind)
      if (list === undefined) byKind.set(m.kind, [m])
      else list.push(m)
    }
    for (const [kind, list] of byKind) {
      this.#metrics.dropped(list.length, kind, reason)
      this.events.notify('drop', { endpoint: kind, reason, count: list.length, messages: list, error })
    }
    this.#callbacks.onDrop?.(messages, reason)
    // Plan drops are reported by the client that applied the plan.
    if (reason === 'plan_violation') return
    this.#logger.warn(
      { destination: destinationName(this.#destination), reason, count: items.length, err: error },
      `eventwire: messages dropped (${reason})`,
    )
  }

  /** Records messages as final; `rejected` carries the drops among them. */
  #settle(messages: readonly Message[], rejected: readonly RejectedMessage[] | undefined): void {
    if (this.#unsure.size > 0) {
      const known = this.#unsure.take(messages, rejected)
      if (known !== undefined) {
        // Those that came back are counted as accepted again rather than twice as final.
        this.#stats.accepted += known.again
        this.#settle(known.messages, known.rejected)
        return
      }
    }
    const before = this.#outstanding
    let bytes = 0
    for (const m of messages) {
      bytes += m.bytes
      const byKind = this.#outstandingByKind
      if (byKind[m.kind] > 0) byKind[m.kind]--
    }
    this.#outstanding = Math.max(0, before - messages.length)
    this.#bytes = this.#outstanding === 0 ? 0 : Math.max(0, this.#bytes - bytes)
    if (this.#waiters.waiting) this.#waiters.settle(messages, rejected)
    if (this.#tickets.size > 0) this.#tickets.settle(messages, rejected)
    this.#check(before)
  }

  #check(before = this.#outstanding): void {
    this.#waiters.check((kind) => this.#remaining(kind))
    if (this.#outstanding === 0 && before > 0) this.#drained()
  }
}

/**
 * A `Consumer` call's ticket: it is its own promise's settler (one shared executor, no closure per
 * call), and builds a report only when something was not delivered.
 */
class CallTicket extends Ticket implements Settles {
  readonly promise: Promise<void>
  resolve: () => void = noop
  reject: (error: unknown) => void = noop
  readonly #kind: Endpoint
  readonly #destination: DestinationRef

  constructor(messages: Message | readonly Message[], kind: Endpoint, destination: DestinationRef) {
    super(messages)
    this.#kind = kind
    this.#destination = destination
    this.promise = promiseSettledBy(this)
  }

  finish(report: DeliveryReport | undefined): void {
    const error = report === undefined ? undefined : reportError(this.#kind, report, this.#destination)
    if (error === undefined) {
      this.resolve()
      return
    }
    // A caller that does not await must not crash the process: the failure is reported anyway.
    this.promise.catch(noop)
    this.reject(error)
  }
}

const noop = () => {}
