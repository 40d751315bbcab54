import type { Clock, TimerHandle } from '../internal/index.js'
import { ENDPOINTS, type Endpoint, type Message } from '../message/index.js'
import type { EventStore, Lease } from '../stores/index.js'
import type { Dispatcher } from './dispatcher.js'
import type { Ledger } from './ledger.js'
import type { Pause } from './pause.js'
import { takeLease } from './take-lease.js'

const noop = () => {}

/** How long to wait before touching a store again after one of its operations failed. */
const STORE_RETRY_MS = 1000

/**
 * When batches leave:
 * - `'immediate'` (`Consumer`): whatever is stored, at once, in requests as large as allowed;
 * - `'manual'` (`BufferedConsumer`): only while a flush or close asks for it;
 * - `'background'` (`BatchConsumer`): as soon as `batchSize` messages, or a request's worth of bytes, of one
 *   kind wait, when the oldest has waited `flushIntervalMs`, when the store is full, or on flush.
 */
export type BatchMode = 'immediate' | 'manual' | 'background'

/** What the batcher needs to know about its consumer. */
export interface BatcherSettings {
  readonly mode: BatchMode
  /** Most messages per lease (one request). */
  readonly batchSize: number
  /** Most messages per lease while a backlog waits (`background`). */
  readonly maxBatchSize: number
  /** Most message bytes of a lease of `count` messages. */
  leaseBytesFor(count: number): number
  /** How long a lease holds. */
  readonly leaseMs: number
  /** The interval trigger (`background`); 0 turns it off. */
  readonly flushIntervalMs: number
  readonly maxConcurrentRequests: number
  /** Capacity of the store, when known. */
  readonly capacity: { readonly count: number; readonly bytes: number } | undefined
}

/** Messages of one kind stored and never attempted: the size trigger's view of the store. */
interface Waiting {
  count: number
  bytes: number
}

/**
 * Decides when to lease a batch from the store and hands it to the dispatcher, keeping at most
 * `maxConcurrentRequests` requests in flight and respecting the destination's pause. It wakes
 * itself for the interval trigger, the end of a pause and retries that come due.
 */
export class Batcher {
  readonly #settings: BatcherSettings
  readonly #store: EventStore
  readonly #ledger: Ledger
  readonly #dispatcher: Dispatcher
  readonly #pause: Pause
  readonly #clock: Clock
  readonly #intakeIdle: () => boolean
  /** Bytes of a full batch: the size trigger fires at this many, whatever the count. */
  readonly #fullBytes: number
  readonly #waiting: Record<Endpoint, Waiting> = {
    events: { count: 0, bytes: 0 },
    people: { count: 0, bytes: 0 },
    groups: { count: 0, bytes: 0 },
    imports: { count: 0, bytes: 0 },
  }
  /** `idle` until started (a flush still sends); `closing` sends everything; `stopped` sends nothing. */
  #state: 'idle' | 'running' | 'closing' | 'stopped' = 'idle'
  /** Send everything ready, whatever the batch sizes, until the store has nothing ready. */
  #draining = false
  /** A flush asked for the drain: it sends also before `start()`. */
  #flushing = false
  /** The drain concerns this kind only (a `manual` engine flushing one full endpoint). */
  #drainKind: Endpoint | undefined
  /** A pump loop is running; `#again` asks it for one more round. */
  #pumping = false
  #again = false
  /** Leases handed to the dispatcher and not settled yet. */
  #sending = 0
  #intervalMs: number
  #intervalTimer: TimerHandle | undefined
  /** Cancels the sleep until the next wake-up, if one is set. */
  #wakeCancel: AbortController | undefined
  #wakeAt = 0
  #reconciling = false
  readonly #idleWaiters: Array<() => void> = []

  constructor(
    settings: BatcherSettings,
    parts: {
      store: EventStore
      ledger: Ledger
      dispatcher: Dispatcher
      pause: Pause
      clock: Clock
      intakeIdle: () => boolean
    },
  ) {
    this.#settings = settings
    this.#store = parts.store
    this.#ledger = parts.ledger
    this.#dispatcher = parts.dispatcher
    this.#pause = parts.pause
    this.#clock = parts.clock
    this.#intakeIdle = parts.intakeIdle
    this.#fullBytes = settings.leaseBytesFor(settings.batchSize)
    this.#intervalMs = settings.mode === 'background' ? settings.flushIntervalMs : 0
  }

  /** Requests in flight. */
  get requestsInFlight(): number {
    return this.#dispatcher.requestsInFlight
  }

  /** Messages in requests in flight. */
  get messagesInFlight(): number {
    return this.#dispatcher.messagesInFlight
  }

  /** Messages of `kind` stored and never attempted. */
  waiting(kind: Endpoint): number {
    return this.#waiting[kind].count
  }

  /** Begins sending (`immediate` and `background`). */
  start(): void {
    if (this.#state !== 'idle') return
    this.#state = this.#settings.mode === 'manual' ? 'idle' : 'running'
    this.#armInterval()
    this.pump()
  }

  /** Records messages just stored, and messages the store dropped or evicted meanwhile. */
  added(stored: readonly Message[], dropped: readonly Message[]): void {
    for (let i = 0; i < stored.length; i++) {
      const m = stored[i]!
      const waiting = this.#waiting[m.kind]
      waiting.count++
      waiting.bytes += m.bytes
    }
    for (const m of dropped) this.#forget(m)
    if (this.#settings.mode === 'immediate' || this.#storeFull()) this.#draining = true
    this.#armInterval()
    if (this.#sendsAll() !== undefined || this.#fullKind() !== undefined) this.pump()
  }

  /**
   * Sends everything ready now (of `kind` only, when given), whatever the batch sizes; `flush`
   * also before `start()`.
   */
  drain(flush = false, kind?: Endpoint): void {
    this.#drainKind = this.#draining && this.#drainKind !== kind ? undefined : kind
    this.#draining = true
    if (flush) this.#flushing = true
    this.pump()
  }

  /** The intake stored everything it had: a drain waiting for it can finish. */
  intakeIdle(): void {
    if (this.#sendsAll() !== undefined) this.pump()
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
    if (this.#state === 'stopped') return
    this.#state = 'closing'
    this.pump()
  }

  /** Sends nothing more and cancels every timer. */
  stop(): void {
    this.#state = 'stopped'
    this.#intervalTimer?.cancel()
    this.#intervalTimer = undefined
    this.#wakeCancel?.abort()
    this.#wakeCancel = undefined
  }

  /** Resolves when no request is in flight and no lease is being taken. */
  whenIdle(): Promise<void> {
    if (this.#sending === 0 && !this.#pumping) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Leases and dispatches batches while triggers, concurrency and the pause allow. */
  pump(): void {
    if (this.#pumping) {
      this.#again = true
      return
    }
    if (!this.#canSend()) return
    void this.#loop()
  }

  #canSend(): boolean {
    if (this.#state === 'stopped') return false
    return this.#state !== 'idle' || this.#flushing || this.#ledger.waiting
  }

  /**
   * What to lease regardless of batch size: `'all'` kinds, one kind, or nothing (only full
   * batches leave).
   */
  #sendsAll(): Endpoint | 'all' | undefined {
    if (this.#state === 'closing') return 'all'
    if (this.#draining) return this.#drainKind ?? 'all'
    // A flush waiting on a `background` engine sends everything (a `manual` one asks by draining).
    return this.#settings.mode !== 'manual' && this.#ledger.waiting ? 'all' : undefined
  }

  async #loop(): Promise<void> {
    this.#pumping = true
    try {
      do {
        this.#again = false
        while (this.#canSend() && this.#sending < this.#settings.maxConcurrentRequests) {
          const now = this.#clock.now()
          if (now < this.#pause.until) {
            this.#wake(this.#pause.until)
            break
          }
          const sends = this.#sendsAll()
          const full = sends === undefined ? this.#fullKind() : undefined
          if (sends === undefined && full === undefined) break
          const kind = sends === 'all' ? undefined : (sends ?? full)
          const lease = await this.#lease(kind, now)
          if (lease === null) break
          if (lease === undefined) {
            if (full !== undefined) {
              this.#clear(full)
              continue
            }
            this.#drained(kind)
            break
          }
          if (this.#state === 'stopped') {
            await this.#dispatcher.giveBack(lease)
            break
          }
          this.#dispatch(lease)
        }
      } while (this.#again && this.#canSend())
    } finally {
      this.#pumping = false
      this.#notifyIdle()
    }
  }

  /** A lease of `kind` (any kind when undefined); undefined when nothing is ready, null when the store failed. */
  async #lease(kind: Endpoint | undefined, now: number): Promise<Lease | undefined | null> {
    const maxCount = this.#leaseSize(kind)
    const { leaseMs } = this.#settings
    const maxBytes = this.#settings.leaseBytesFor(maxCount)
    const lease = await takeLease(this.#store, this.#ledger, { maxCount, maxBytes, leaseMs, kind })
    if (lease === null) this.#wake(now + STORE_RETRY_MS)
    return lease
  }

  /** Nothing ready to lease (of `kind`, or of any kind) while draining. */
  #drained(kind: Endpoint | undefined): void {
    // Messages sent in the same tick as the drain request may still be on their way to the store.
    if (this.#intakeIdle()) {
      this.#draining = false
      this.#flushing = false
      this.#drainKind = undefined
    }
    if (kind !== undefined) {
      this.#clear(kind)
      return
    }
    for (const k of ENDPOINTS) this.#clear(k)
    this.#reconcile()
  }

  #dispatch(lease: Lease): void {
    this.#sending++
    for (const item of lease.items) if (item.attempts === 0) this.#forget(item.message)
    void this.#dispatcher.settle(lease, this.#pause.epoch).then((due) => {
      this.#sending--
      if (due !== undefined) this.#wake(due)
      this.pump()
      this.#notifyIdle()
    })
  }

  /**
   * Messages per lease: `batchSize`, or — when a `background` engine has more than two batches of
   * the kind waiting for each free request slot (a burst outran delivery, or an outage ended) — an
   * even share of what waits, up to the destination's limit, so that delivery catches up with
   * fewer requests instead of falling further behind.
   */
  #leaseSize(kind: Endpoint | undefined): number {
    const { mode, batchSize, maxBatchSize, maxConcurrentRequests } = this.#settings
    if (mode !== 'background' || maxBatchSize <= batchSize) return batchSize
    const waiting =
      kind === undefined
        ? Math.max(...ENDPOINTS.map((k) => this.#waiting[k].count))
        : this.#waiting[kind].count
    const free = Math.max(1, maxConcurrentRequests - this.#sending)
    if (waiting <= 2 * batchSize * free) return batchSize
    return Math.min(maxBatchSize, Math.floor(waiting / free))
  }

  /** A kind with a full batch (by count or bytes) waiting, if any. */
  #fullKind(): Endpoint | undefined {
    if (this.#settings.mode === 'manual') return undefined
    for (const kind of ENDPOINTS) {
      const waiting = this.#waiting[kind]
      if (waiting.count >= this.#settings.batchSize || waiting.bytes >= this.#fullBytes) return kind
    }
    return undefined
  }

  /** Whether the store is at capacity: waiting for full batches would only cost drops or blocked callers. */
  #storeFull(): boolean {
    const capacity = this.#settings.capacity
    if (capacity === undefined) return false
    return this.#ledger.outstanding >= capacity.count || this.#ledger.outstandingBytes >= capacity.bytes
  }

  #forget(message: Message): void {
    const waiting = this.#waiting[message.kind]
    if (waiting.count === 0) return
    waiting.count--
    waiting.bytes = waiting.count === 0 ? 0 : Math.max(0, waiting.bytes - message.bytes)
  }

  #clear(kind: Endpoint): void {
    this.#waiting[kind].count = 0
    this.#waiting[kind].bytes = 0
  }

  /**
   * When draining finds nothing to lease while messages are still counted as outstanding (a store
   * that ignored a duplicate id, or messages another process delivered), asks the store: if it is
   * empty, nothing is outstanding; if messages are backing off, wake up when the first is due.
   */
  #reconcile(): void {
    if (this.#reconciling || this.#sending > 0 || this.#ledger.outstanding === 0) return
    if (!this.#intakeIdle() || this.#ledger.parkedCount() > 0) return
    this.#reconciling = true
    this.#store
      .size()
      .then((size) => {
        if (size.count === 0 && this.#sending === 0 && this.#intakeIdle()) this.#ledger.reset(0)
        else if (size.nextRetryAt !== undefined) this.#wake(size.nextRetryAt)
      })
      .catch((error: unknown) => this.#ledger.storeFailed('events', 'size', error))
      .finally(() => {
        this.#reconciling = false
      })
  }

  #armInterval(): void {
    if (this.#intervalMs <= 0 || this.#intervalTimer !== undefined || this.#state !== 'running') return
    if (ENDPOINTS.every((kind) => this.#waiting[kind].count === 0)) return
    this.#intervalTimer = this.#clock.setTimeout(() => {
      this.#intervalTimer = undefined
      this.drain()
    }, this.#intervalMs)
  }

  /**
   * Pumps again at `at` (ms since epoch): for the end of a pause or a retry coming due. Waits with
   * the clock's `sleep`, so a test clock that advances on sleeps steps through backoffs at once.
   */
  #wake(at: number): void {
    if (this.#state === 'stopped') return
    if (this.#wakeCancel !== undefined && this.#wakeAt <= at) return
    this.#wakeCancel?.abort()
    const cancel = new AbortController()
    this.#wakeCancel = cancel
    this.#wakeAt = at
    this.#clock.sleep(Math.max(0, at - this.#clock.now()), cancel.signal).then(() => {
      if (this.#wakeCancel !== cancel) return
      this.#wakeCancel = undefined
      this.drain()
    }, noop)
  }

  #notifyIdle(): void {
    if (this.#sending !== 0 || this.#pumping || this.#idleWaiters.length === 0) return
    for (const resolve of this.#idleWaiters.splice(0)) resolve()
  }
}
