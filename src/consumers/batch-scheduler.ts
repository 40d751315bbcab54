import { setMaxListeners } from 'node:events'
import { ENDPOINTS, type Endpoint, type Message, type TimerHandle } from '../internal/index.js'
import type { EventStore, Lease } from '../stores/index.js'
import { BatchDispatcher, reportStoreFailure } from './batch-dispatch.js'
import type { ResolvedBatchOptions } from './batch-options.js'
import type { Delivery } from './delivery.js'
import type { FlushTracker } from './flush-tracker.js'

/** How long to wait before touching a store again after one of its operations failed. */
const STORE_RETRY_MS = 1000

/** Messages of one kind waiting and never attempted: the size trigger's view of the store. */
interface Hint {
  count: number
  bytes: number
}

/**
 * The background half of `BatchConsumer`: decides when to lease a batch from the store (size,
 * byte and interval triggers, flush and close), keeps at most `maxConcurrentRequests` requests in
 * flight, and settles each lease through `Delivery`: acknowledges what was delivered or refused,
 * halves 413s, and releases retryable messages with a backoff `notBefore` (or drops them when
 * their budget is spent). A failed request pauses the whole destination (`Retry-After`, or an
 * exponential backoff that grows with consecutive failures and resets on success).
 */
export class BatchScheduler {
  readonly #delivery: Delivery
  readonly #store: EventStore
  readonly #tracker: FlushTracker
  readonly #options: ResolvedBatchOptions
  readonly #isIntakeIdle: () => boolean
  readonly #abort = new AbortController()
  readonly #dispatcher: BatchDispatcher
  readonly #hints: Record<Endpoint, Hint> = {
    events: { count: 0, bytes: 0 },
    people: { count: 0, bytes: 0 },
    groups: { count: 0, bytes: 0 },
    imports: { count: 0, bytes: 0 },
  }
  #fresh = 0
  #started = false
  #closing = false
  #stopped = false
  #drainRequested = false
  /** An explicit flush asked to send, also before start(). */
  #flushRequested = false
  #pumping = false
  #pumpAgain = false
  #requests = 0
  #messagesInFlight = 0
  #intervalMs: number
  #intervalTimer: TimerHandle | undefined
  #wakeTimer: TimerHandle | undefined
  #wakeAt = 0
  #pausedUntil = 0
  /** Consecutive failed requests; `#epoch` moves when it grows, so requests already in flight then do not grow it again. */
  #streak = 0
  #epoch = 0
  #reconciling = false
  readonly #idleWaiters: Array<() => void> = []

  constructor(
    delivery: Delivery,
    tracker: FlushTracker,
    options: ResolvedBatchOptions,
    isIntakeIdle: () => boolean,
  ) {
    this.#delivery = delivery
    this.#store = options.store
    this.#tracker = tracker
    this.#options = options
    this.#isIntakeIdle = isIntakeIdle
    this.#intervalMs = options.flushIntervalMs
    // Every request in flight listens to this one signal.
    setMaxListeners(0, this.#abort.signal)
    this.#dispatcher = new BatchDispatcher(delivery, tracker, options, {
      signal: this.#abort.signal,
      backoff: (retryNo, retryAfterMs, epoch, now) => this.#backoff(retryNo, retryAfterMs, epoch, now),
      succeeded: () => {
        this.#streak = 0
      },
      wake: (at) => this.#wake(at),
      landed: (count) => {
        this.#messagesInFlight -= count
      },
      finished: () => {
        this.#requests--
        this.pump()
        this.#notifyIdle()
      },
    })
  }

  /** Requests in flight. */
  get requestsInFlight(): number {
    return this.#requests
  }

  /** Messages in requests in flight. */
  get messagesInFlight(): number {
    return this.#messagesInFlight
  }

  /** Until when (ms since epoch) the destination is paused; 0 or a past time when it is not. */
  get pausedUntil(): number {
    return this.#pausedUntil
  }

  /** Begins background sending. */
  start(): void {
    this.#started = true
    this.#armInterval()
    this.pump()
  }

  /** Records messages just stored (`batch`) and messages the store dropped or evicted meanwhile. */
  noteAdded(batch: readonly Message[], dropped: readonly Message[]): void {
    const hints = this.#hints
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!
      const hint = hints[m.kind]
      hint.count++
      hint.bytes += m.bytes
    }
    this.#fresh += batch.length
    for (const m of dropped) this.#unhint(m)
    if (this.#storeFull()) this.#drainRequested = true
    this.#armInterval()
    if (this.#draining() || this.#fullKind() !== undefined) this.pump()
  }

  /** Whether the store is at capacity: waiting for full batches would only cost drops or blocked callers. */
  #storeFull(): boolean {
    const capacity = this.#options.capacity
    if (capacity === undefined) return false
    return this.#tracker.outstanding >= capacity.count || this.#tracker.outstandingBytes >= capacity.bytes
  }

  /** Sends everything ready now, whatever the batch sizes; `explicit` (a flush) also before start(). */
  drain(explicit = false): void {
    this.#drainRequested = true
    if (explicit) this.#flushRequested = true
    this.pump()
  }

  /**
   * The intake stored everything it had. A drain request waits for that before it counts as done,
   * so look again.
   */
  intakeIdle(): void {
    if (this.#drainRequested) this.pump()
  }

  /** Replaces the interval trigger (`0` turns it off). */
  setInterval(ms: number): void {
    this.#intervalMs = ms
    this.#intervalTimer?.cancel()
    this.#intervalTimer = undefined
    this.#armInterval()
  }

  /** From now on, send everything (closing drains the store). */
  close(): void {
    this.#closing = true
    this.pump()
  }

  /** Aborts requests in flight and sends nothing more; aborted messages go back to the store. */
  abort(): void {
    this.stop()
    this.#abort.abort()
  }

  /** Sends nothing more and cancels every timer. */
  stop(): void {
    this.#stopped = true
    this.#intervalTimer?.cancel()
    this.#intervalTimer = undefined
    this.#wakeTimer?.cancel()
    this.#wakeTimer = undefined
  }

  /** Resolves when no request is in flight and no lease is being taken. */
  whenIdle(): Promise<void> {
    if (this.#requests === 0 && !this.#pumping) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Leases and dispatches batches while triggers, concurrency and the pause allow. */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true
      return
    }
    if (!this.#canSend()) return
    void this.#pumpLoop()
  }

  /** Whether everything ready is sent regardless of batch size (flush waiting, closing, timer fired). */
  #draining(): boolean {
    return this.#drainRequested || this.#closing || this.#tracker.waiting
  }

  #canSend(): boolean {
    return !this.#stopped && (this.#started || this.#closing || this.#flushRequested || this.#tracker.waiting)
  }

  async #pumpLoop(): Promise<void> {
    this.#pumping = true
    try {
      do {
        this.#pumpAgain = false
        while (this.#canSend() && this.#requests < this.#options.maxConcurrentRequests) {
          const now = this.#delivery.clock.now()
          if (now < this.#pausedUntil) {
            this.#wake(this.#pausedUntil)
            break
          }
          const draining = this.#draining()
          const kind = draining ? undefined : this.#fullKind()
          if (!draining && kind === undefined) break
          let lease: Lease | undefined
          try {
            lease = await this.#store.lease({
              maxCount: this.#options.batchSize,
              maxBytes: this.#options.leaseBytes,
              leaseMs: this.#options.leaseMs,
              kind,
            })
          } catch (error) {
            reportStoreFailure(this.#delivery, this.#options, error, 'lease', kind ?? 'events', [])
            this.#wake(now + STORE_RETRY_MS)
            break
          }
          if (lease === undefined) {
            if (kind !== undefined) {
              this.#clearHint(kind)
              continue
            }
            // Messages sent in the same tick as the drain request are still on their way to the store.
            if (this.#isIntakeIdle()) {
              this.#drainRequested = false
              this.#flushRequested = false
            }
            for (const k of ENDPOINTS) this.#clearHint(k)
            this.#reconcile()
            break
          }
          if (this.#stopped) {
            await this.#dispatcher.giveBack(lease)
            break
          }
          this.#take(lease)
          void this.#dispatch(lease)
        }
      } while (this.#pumpAgain && this.#canSend())
    } finally {
      this.#pumping = false
      this.#notifyIdle()
    }
  }

  /** A kind with a full batch (by count or bytes) waiting, if any. */
  #fullKind(): Endpoint | undefined {
    if (this.#fresh === 0) return undefined
    for (const kind of ENDPOINTS) {
      const hint = this.#hints[kind]
      if (hint.count >= this.#options.batchSize || hint.bytes >= this.#options.leaseBytes) return kind
    }
    return undefined
  }

  #take(lease: Lease): void {
    this.#requests++
    this.#messagesInFlight += lease.items.length
    for (const item of lease.items) if (item.attempts === 0) this.#unhint(item.message)
  }

  #unhint(message: Message): void {
    const hint = this.#hints[message.kind]
    if (hint.count === 0) return
    hint.count--
    hint.bytes = hint.count === 0 ? 0 : Math.max(0, hint.bytes - message.bytes)
    this.#fresh--
  }

  #clearHint(kind: Endpoint): void {
    const hint = this.#hints[kind]
    this.#fresh -= hint.count
    hint.count = 0
    hint.bytes = 0
  }

  #dispatch(lease: Lease): Promise<void> {
    // Never rejects; the request slot is freed (and the pump resumed) when its last message lands.
    return this.#dispatcher.settle(lease, this.#epoch)
  }

  /**
   * The wait before the next attempt, which also pauses the whole destination: the server's
   * `Retry-After` if it sent one, else the policy's jittered backoff for the larger of the
   * message's retry number and the destination's failure streak. A streak grows once per
   * failure of a request sent after it last grew, so requests already in flight do not inflate it.
   */
  #backoff(retryNo: number, retryAfterMs: number | undefined, epoch: number, now: number): number {
    if (epoch === this.#epoch) {
      this.#streak++
      this.#epoch++
    }
    const delayMs = this.#delivery.policy.delayMs(Math.max(retryNo, this.#streak), retryAfterMs)
    this.#pausedUntil = Math.max(this.#pausedUntil, now + delayMs)
    return delayMs
  }

  /**
   * When draining finds nothing to lease while messages are still counted as outstanding (a store
   * that ignored a duplicate id, or messages another process delivered), asks the store: if it is
   * empty, nothing is outstanding.
   */
  #reconcile(): void {
    if (this.#reconciling || this.#requests > 0 || this.#tracker.outstanding === 0) return
    if (!this.#isIntakeIdle()) return
    this.#reconciling = true
    this.#store
      .size()
      .then((size) => {
        if (size.count === 0 && this.#requests === 0 && this.#isIntakeIdle()) this.#tracker.reset(0)
        else if (size.nextRetryAt !== undefined) this.#wake(size.nextRetryAt)
      })
      .catch((error: unknown) =>
        reportStoreFailure(this.#delivery, this.#options, error, 'size', 'events', []),
      )
      .finally(() => {
        this.#reconciling = false
      })
  }

  #armInterval(): void {
    if (this.#intervalMs <= 0 || this.#intervalTimer !== undefined || this.#fresh === 0) return
    if (!this.#started || this.#stopped) return
    this.#intervalTimer = this.#delivery.clock.setTimeout(() => {
      this.#intervalTimer = undefined
      this.drain()
    }, this.#intervalMs)
  }

  /** Pumps again at `at` (ms since epoch): for the end of a pause or a retry's `notBefore`. */
  #wake(at: number): void {
    if (this.#stopped) return
    if (this.#wakeTimer !== undefined && this.#wakeAt <= at) return
    this.#wakeTimer?.cancel()
    this.#wakeAt = at
    this.#wakeTimer = this.#delivery.clock.setTimeout(() => {
      this.#wakeTimer = undefined
      this.drain()
    }, at - this.#delivery.clock.now())
  }

  #notifyIdle(): void {
    if (this.#requests !== 0 || this.#pumping || this.#idleWaiters.length === 0) return
    for (const resolve of this.#idleWaiters.splice(0)) resolve()
  }
}
