import { EventwireError, isEventwireError } from '../errors/index.js'
import type { DropReason, Message } from '../internal/index.js'
import type { AddResult, EventStore } from '../stores/index.js'
import { reportDrops } from './batch-dispatch.js'
import type { ResolvedBatchOptions } from './batch-options.js'
import type { BatchScheduler } from './batch-scheduler.js'
import { type Delivery, jsonSize, unwritableError } from './delivery.js'
import type { FlushTracker } from './flush-tracker.js'

/** What fills a batch's slots once the store has taken their messages: they are never read again. */
const STORED = undefined as unknown as Message

/**
 * Messages serialised between two turns of the event loop: about 0.1 ms of work for typical
 * events, short enough that responses arriving meanwhile are read promptly.
 */
const RENDER_SLICE = 32

interface Deferred {
  readonly promise: Promise<void>
  resolve(): void
  reject(error: unknown): void
}

/**
 * The hot path of `BatchConsumer.send()`: messages sent in one tick are collected in an array and
 * stored together from a microtask, one `store.add()` at a time so order is kept. Every caller of
 * that tick shares one promise, settled when the store took the messages. Their JSON is written
 * first, a slice at a time between turns of the event loop, so that a large burst does not delay
 * reading responses and sending the next requests.
 *
 * With `overflow: 'block'`, `add()` may wait for room; messages are then added in chunks that fit
 * (known from the store's `bufferCapacity` and `maxBufferBytes`; one at a time when it has none),
 * so those already stored can be sent — and free room — while the rest wait, and a close deadline
 * that aborts the wait knows exactly which messages never made it into the store.
 */
export class BatchIntake {
  readonly #store: EventStore
  readonly #tracker: FlushTracker
  readonly #scheduler: BatchScheduler
  readonly #delivery: Delivery
  readonly #options: ResolvedBatchOptions
  readonly #block: boolean
  readonly #abort = new AbortController()
  readonly #idleWaiters: Array<() => void> = []
  #queue: Message[] = []
  #batch: Deferred | undefined
  #adding = false
  #startup: Promise<void> | undefined

  constructor(
    delivery: Delivery,
    tracker: FlushTracker,
    scheduler: BatchScheduler,
    options: ResolvedBatchOptions,
  ) {
    this.#store = options.store
    this.#tracker = tracker
    this.#scheduler = scheduler
    this.#delivery = delivery
    this.#options = options
    this.#block = (options.store as { overflow?: unknown }).overflow === 'block'
  }

  /** The promise of the messages accepted in this tick, if any. */
  get pending(): Promise<void> | undefined {
    return this.#batch?.promise
  }

  /** Whether nothing is waiting to be stored. */
  get idle(): boolean {
    return !this.#adding && this.#batch === undefined
  }

  /** Holds back storing until `ready` settles (a durable store is being counted). */
  waitFor(ready: Promise<void>): void {
    this.#startup = ready.finally(() => {
      this.#startup = undefined
    })
  }

  /**
   * Takes one message; it is stored in the next microtask. Nothing here reads its JSON: a message
   * built by `track()` is serialised in that microtask, not on the caller's time.
   */
  accept(message: Message): void {
    this.#queue.push(message)
    this.#tracker.accept(message)
    if (this.#batch === undefined) {
      this.#batch = deferred()
      if (!this.#adding) queueMicrotask(this.#run)
    }
  }

  /** Resolves when nothing is waiting to be stored. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Aborts a wait for room: the messages not yet stored are dropped as `closed`. */
  abort(): void {
    this.#abort.abort(closedError())
  }

  readonly #run = (): void => {
    const done = this.#batch
    if (done === undefined) return
    const queue = this.#queue
    this.#queue = []
    this.#batch = undefined
    this.#adding = true
    this.#take(queue)
      .then(done.resolve, done.reject)
      .finally(() => {
        this.#adding = false
        if (this.#batch !== undefined) this.#run()
        else {
          for (const wake of this.#idleWaiters.splice(0)) wake()
          this.#scheduler.intakeIdle()
        }
      })
  }

  /** Serialises, sizes and stores the messages sent in one tick. */
  async #take(queue: Message[]): Promise<void> {
    if (this.#startup !== undefined) await this.#startup
    await this.#storeAll(await this.#sized(queue))
  }

  /**
   * The messages of `queue` that can be sent, their bytes counted as outstanding. Reading a
   * message's size writes its JSON (for a draft), {@link RENDER_SLICE} messages at a time with a
   * turn of the event loop between slices: thousands of `track()` calls in one tick then never
   * hold responses, and the requests that follow them, back for milliseconds. A message whose JSON
   * cannot be written is dropped as `rejected`, one that cannot fit in a request as `too_large`.
   */
  async #sized(queue: Message[]): Promise<Message[]> {
    const max = this.#options.maxMessageBytes
    let kept: Message[] | undefined
    let bytes = 0
    for (let i = 0; i < queue.length; i++) {
      if (i > 0 && i % RENDER_SLICE === 0) await nextTurn()
      const message = queue[i]!
      let refusal: { reason: DropReason; error: EventwireError }
      try {
        const size = jsonSize(message)
        if (size <= max) {
          bytes += size
          kept?.push(message)
          continue
        }
        refusal = { reason: 'too_large', error: tooLarge(message, this.#options) }
      } catch (error) {
        refusal = { reason: 'rejected', error: unwritableError(message, error) }
      }
      kept ??= queue.slice(0, i)
      this.#tracker.settle([message], 0)
      reportDrops(this.#delivery, this.#options.onDrop, [message], refusal.reason, refusal.error)
    }
    this.#tracker.addBytes(bytes)
    return kept ?? queue
  }

  async #storeAll(batch: Message[]): Promise<void> {
    if (!this.#block) {
      const result = await this.#add(batch, batch, 0)
      this.#stored(batch, result.dropped)
      return
    }
    let restBytes = 0
    for (const m of batch) restBytes += m.bytes
    for (let i = 0; i < batch.length; ) {
      const end = this.#fitting(batch, i, restBytes)
      // Out of room: send what is stored, whatever the batch sizes, so that room comes back.
      if (end < batch.length) this.#scheduler.drain()
      const part = i === 0 && end === batch.length ? batch : batch.slice(i, end)
      const result = await this.#add(part, batch, i)
      for (const m of part) restBytes -= m.bytes
      this.#stored(part, result.dropped)
      // The store has them now: this batch must not keep them (and their JSON) alive while the
      // rest waits for room.
      batch.fill(STORED, i, end)
      i = end
    }
  }

  /**
   * End (exclusive) of the run of `batch` from `start` that the store has room for now, at least
   * one message (which may then wait). Exact for a store used by this consumer alone: it holds
   * exactly the outstanding messages not waiting here.
   */
  #fitting(batch: readonly Message[], start: number, restBytes: number): number {
    const capacity = this.#options.capacity
    if (capacity === undefined) return start + 1
    // Messages still queued here count, but their bytes are not known until their turn.
    let count = this.#tracker.outstanding - (batch.length - start) - this.#queue.length
    let bytes = this.#tracker.outstandingBytes - restBytes
    let end = start
    while (end < batch.length && count < capacity.count && bytes + batch[end]!.bytes <= capacity.bytes) {
      count++
      bytes += batch[end]!.bytes
      end++
    }
    return Math.max(end, start + 1)
  }

  /** `store.add(part)`; when it fails, every message of `batch` from `from` is settled and reported. */
  async #add(part: readonly Message[], batch: readonly Message[], from: number): Promise<AddResult> {
    try {
      return await this.#store.add(part, this.#abort.signal)
    } catch (error) {
      const lost = batch.slice(from)
      this.#tracker.settle(lost)
      if (this.#abort.signal.aborted) {
        const closed = closedError()
        reportDrops(this.#delivery, this.#options.onDrop, lost, 'closed', closed)
        throw closed
      }
      const err = isEventwireError(error)
        ? error
        : new EventwireError(
            'EVENTWIRE_STORE_FAILED',
            `event store add failed: ${(error as Error)?.message}`,
            {
              cause: error,
              retryable: true,
            },
          )
      this.#delivery.reportFailure(lost[0]!.kind, err, lost)
      this.#options.onFailure?.(err, lost)
      throw err
    }
  }

  #stored(part: readonly Message[], dropped: readonly Message[]): void {
    if (dropped.length > 0) {
      const error = new EventwireError(
        'EVENTWIRE_QUEUE_FULL',
        `the event store is full: ${dropped.length} message(s) dropped by the overflow policy`,
      )
      reportDrops(this.#delivery, this.#options.onDrop, dropped, 'queue_full', error)
      this.#tracker.settle(dropped)
    }
    this.#scheduler.noteAdded(part, dropped)
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function deferred(): Deferred {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function tooLarge(message: Message, options: ResolvedBatchOptions): EventwireError {
  return new EventwireError(
    'EVENTWIRE_MESSAGE_TOO_LARGE',
    `a ${message.kind} message of ${message.bytes} bytes cannot fit in a request of byteLimit ${options.byteLimit} bytes`,
  )
}

/** The error of a call refused because the consumer is closed. */
export function closedError(): EventwireError {
  return new EventwireError('EVENTWIRE_CLOSED', 'The consumer is closed: the message was not accepted')
}
