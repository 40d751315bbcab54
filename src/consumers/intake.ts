import { performance } from 'node:perf_hooks'
import {
  ClosedError,
  DeliveryError,
  type EventwireError,
  isEventwireError,
  type RejectedMessage,
} from '../errors/index.js'
import type { Clock } from '../internal/index.js'
import type { Message } from '../message/index.js'
import type { AddResult, EventStore } from '../stores/index.js'
import type { Batcher } from './batcher.js'
import type { Ledger } from './ledger.js'
import { promiseSettledBy, type Settles } from './settler.js'

/**
 * Time spent writing messages' JSON before the intake yields a turn of the event loop, in
 * milliseconds: long enough to keep pace with a producer calling `track()` hundreds of times per
 * turn, short enough that responses arriving meanwhile are read promptly.
 */
const SLICE_MS = 2
/** Messages written between two looks at the time. */
const SLICE_CHECK = 16
/** Attempts at storing a slice before its messages are dropped as `store_failed`. */
const STORE_ATTEMPTS = 3
/** Wait before the first new attempt after a failed `store.add()`; doubles each time. */
const STORE_RETRY_MS = 200

/** What the intake needs to know about its consumer. */
export interface IntakeSettings {
  readonly store: EventStore
  /** Largest single message accepted, in bytes (a larger one is dropped as `too_large`). */
  readonly maxMessageBytes: number
  /** The byte limit the largest message is measured against, for the error message. */
  readonly byteLimit: number
  /** Capacity of the store, when known: with `overflow: 'block'`, adds are cut to what fits. */
  readonly capacity: { readonly count: number; readonly bytes: number } | undefined
  readonly clock: Clock
}

/** One `send()` call: settled once all of its messages are stored or refused (when it has a promise). */
class Call implements Settles {
  left: number
  error: EventwireError | undefined = undefined
  resolve: () => void = noop
  reject: (error: unknown) => void = noop
  readonly promise: Promise<void> | undefined

  constructor(left: number, settle: boolean) {
    this.left = left
    if (settle) this.promise = promiseSettledBy(this)
  }
}

const noop = () => {}

/** The call of every one-message `accept` without a promise: nothing to settle, no object per call. */
const UNSETTLED = new Call(1, false)

/**
 * The first stage of the engine: takes messages from `send()` at once (no serialisation on the
 * caller's time), then writes their JSON, checks their size and adds them to the store, a slice of
 * about {@link SLICE_MS} at a time with a turn of the event loop between slices. Slices keep pace
 * with a producer of any rate, yet a burst of thousands of calls never holds responses, and the
 * requests that follow them, back for long; each stored slice can be sent at once.
 *
 * Each call gets its own promise: resolved once its messages are stored, rejected with the reason
 * when one was refused (`EVENTWIRE_MESSAGE_TOO_LARGE`, `EVENTWIRE_QUEUE_FULL`,
 * `EVENTWIRE_STORE_FAILED`, `EVENTWIRE_CLOSED`). A rejection nobody
 * awaits is never an unhandled rejection: every refusal is also counted and reported as a drop.
 */
export class Intake {
  readonly #settings: IntakeSettings
  readonly #ledger: Ledger
  readonly #batcher: Batcher
  readonly #block: boolean
  readonly #abort = new AbortController()
  readonly #idleWaiters: Array<() => void> = []
  #queue: Message[] = []
  /** The call of each queued message: a call's messages are always stored together. */
  #calls: Call[] = []
  #running = false
  #startup: Promise<void> | undefined

  constructor(settings: IntakeSettings, ledger: Ledger, batcher: Batcher) {
    this.#settings = settings
    this.#ledger = ledger
    this.#batcher = batcher
    this.#block = settings.store.overflow === 'block'
  }

  /** Whether nothing is waiting to be stored. */
  get idle(): boolean {
    return !this.#running && this.#queue.length === 0
  }

  /** Holds back storing until `ready` settles (a durable store is being counted). */
  waitFor(ready: Promise<void>): void {
    this.#startup = ready.finally(() => {
      this.#startup = undefined
    })
  }

  /**
   * Takes the messages of one call. With `settle`, returns a promise settled once they are stored
   * (or rejected with the reason one was refused); without, returns nothing (the caller waits for
   * delivery some other way, and refusals are reported through the ledger only).
   */
  accept(message: Message | readonly Message[], settle: true): Promise<void>
  accept(message: Message | readonly Message[], settle: false): undefined
  accept(message: Message | readonly Message[], settle: boolean): Promise<void> | undefined {
    if (Array.isArray(message)) {
      const messages = message as readonly Message[]
      const call = new Call(messages.length, settle)
      for (let i = 0; i < messages.length; i++) this.#take(messages[i]!, call)
      return call.promise
    }
    if (!settle) {
      this.#take(message as Message, UNSETTLED)
      return undefined
    }
    const call = new Call(1, true)
    this.#take(message as Message, call)
    return call.promise
  }

  #take(message: Message, call: Call): void {
    this.#queue.push(message)
    this.#calls.push(call)
    this.#ledger.accept(message)
    if (!this.#running) {
      this.#running = true
      queueMicrotask(this.#run)
    }
  }

  /** Resolves when nothing is waiting to be stored. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  /** Aborts a wait for room (close's deadline): the messages not yet stored are dropped as `closed`. */
  abort(): void {
    this.#abort.abort(new ClosedError())
  }

  readonly #run = (): void => {
    void this.#drain().finally(() => {
      this.#running = false
      if (this.#queue.length > 0) {
        this.#running = true
        queueMicrotask(this.#run)
        return
      }
      for (const wake of this.#idleWaiters.splice(0)) wake()
      this.#batcher.intakeIdle()
    })
  }

  /** Stores everything queued, a slice at a time. */
  async #drain(): Promise<void> {
    if (this.#startup !== undefined) await this.#startup
    while (this.#queue.length > 0) {
      const { messages, calls } = this.#slice()
      await this.#store(messages, calls)
      if (this.#queue.length > 0) await nextTurn()
    }
  }

  /**
   * Takes from the queue the messages whose JSON is written within one slice of time. Reading a
   * message's size writes its JSON (for a message drafted by `track()`); one that cannot fit in a
   * request is dropped as `too_large`.
   */
  #slice(): { messages: Message[]; calls: Call[] } {
    const queue = this.#queue
    const calls = this.#calls
    const max = this.#settings.maxMessageBytes
    const start = performance.now()
    let end = 0
    let bytes = 0
    const refused: Array<RejectedMessage & { call: Call }> = []
    while (end < queue.length) {
      const message = queue[end]!
      end++
      // Reading the size of a message drafted by `track()` writes its JSON, once.
      const size = message.bytes
      // Counted also for a message refused here: the ledger takes its size off when it settles.
      bytes += size
      if (size > max) {
        const error = tooLarge(message, this.#settings.byteLimit)
        refused.push({ message, call: calls[end - 1]!, reason: 'too_large', error })
      }
      // A slice ends between calls: a call's messages are stored, and can leave, together.
      if (
        end % SLICE_CHECK === 0 &&
        (calls[end] !== calls[end - 1] || calls[end] === UNSETTLED) &&
        performance.now() - start > SLICE_MS
      )
        break
    }
    let messages = queue.slice(0, end)
    let sliceCalls = calls.slice(0, end)
    this.#queue = end === queue.length ? [] : queue.slice(end)
    this.#calls = end === calls.length ? [] : calls.slice(end)
    this.#ledger.addBytes(bytes)
    if (refused.length > 0) {
      const out = new Set(refused.map((r) => r.message))
      const keep = messages.map((m) => !out.has(m))
      messages = messages.filter((_, i) => keep[i])
      sliceCalls = sliceCalls.filter((_, i) => keep[i])
      for (const r of refused) settleCall(r.call, r.error)
      // Counted outstanding when accepted, and never stored: settle them now.
      this.#ledger.rejected(refused.map(({ message, reason, error }) => ({ message, reason, error })))
    }
    return { messages, calls: sliceCalls }
  }

  /** Adds a slice to the store; with `'block'`, in runs that fit, so stored ones can leave and free room. */
  async #store(messages: Message[], calls: Call[]): Promise<void> {
    if (messages.length === 0) return
    if (!this.#block) {
      await this.#add(messages, calls, 0, messages.length)
      return
    }
    let restBytes = 0
    for (const m of messages) restBytes += m.bytes
    for (let i = 0; i < messages.length; ) {
      const end = this.#fitting(messages, i, restBytes)
      // Out of room: send what is stored, whatever the batch sizes, so that room comes back.
      if (end < messages.length) this.#batcher.drain()
      for (let j = i; j < end; j++) restBytes -= messages[j]!.bytes
      if (!(await this.#add(messages, calls, i, end))) return
      i = end
    }
  }

  /**
   * End (exclusive) of the run of `messages` from `start` that the store has room for now, at
   * least one message (which may then wait). Exact for a store used by this consumer alone: it
   * holds exactly the outstanding messages not waiting here.
   */
  #fitting(messages: readonly Message[], start: number, restBytes: number): number {
    const capacity = this.#settings.capacity
    if (capacity === undefined) return start + 1
    let count = this.#ledger.outstanding - (messages.length - start) - this.#queue.length
    let bytes = this.#ledger.outstandingBytes - restBytes
    let end = start
    while (
      end < messages.length &&
      count < capacity.count &&
      bytes + messages[end]!.bytes <= capacity.bytes
    ) {
      count++
      bytes += messages[end]!.bytes
      end++
    }
    return Math.max(end, start + 1)
  }

  /**
   * `store.add()` of `messages[from, to)`, retried a few times when it fails. Returns false when the
   * messages were not stored (then they and every later one of the slice are settled as refused).
   */
  async #add(messages: Message[], calls: Call[], from: number, to: number): Promise<boolean> {
    const part = from === 0 && to === messages.length ? messages : messages.slice(from, to)
    let result: AddResult | undefined
    let failure: EventwireError | undefined
    for (let attempt = 1; attempt <= STORE_ATTEMPTS && result === undefined; attempt++) {
      try {
        result = await this.#settings.store.add(part, this.#abort.signal)
      } catch (error) {
        if (this.#abort.signal.aborted) {
          failure = new ClosedError()
          break
        }
        failure = storeError(error)
        this.#ledger.storeFailed(part[0]!.kind, 'add', failure)
        // An add that got no answer may still have been applied: repeating it would store copies.
        if (!failure.retryable) break
        if (attempt < STORE_ATTEMPTS) await this.#settings.clock.sleep(STORE_RETRY_MS * 2 ** (attempt - 1))
      }
    }
    if (result === undefined) {
      const lost = messages.slice(from)
      const reason = failure?.code === 'EVENTWIRE_CLOSED' ? 'closed' : 'store_failed'
      const error = failure ?? new ClosedError()
      for (let i = from; i < messages.length; i++) settleCall(calls[i]!, error)
      this.#ledger.dropped(lost, reason, error)
      return false
    }
    const dropped = new Set(result.dropped)
    let error: EventwireError | undefined
    if (dropped.size > 0) {
      error = new DeliveryError(
        'EVENTWIRE_QUEUE_FULL',
        `the event store is full: ${dropped.size} message(s) refused by its overflow policy`,
      )
      this.#ledger.dropped(result.dropped, 'queue_full', error)
    }
    const stored: Message[] = []
    for (let i = from; i < to; i++) {
      const message = messages[i]!
      if (dropped.has(message)) settleCall(calls[i]!, error)
      else {
        stored.push(message)
        settleCall(calls[i]!, undefined)
      }
    }
    this.#batcher.added(stored, result.dropped)
    return true
  }
}

/** One message of `call` is stored (`error` undefined) or refused. */
function settleCall(call: Call, error: EventwireError | undefined): void {
  if (call.promise === undefined) return
  if (error !== undefined) call.error ??= error
  if (--call.left > 0) return
  if (call.error === undefined) call.resolve()
  else {
    // Refusals are reported as drops; a caller that does not await must not crash the process.
    call.promise!.catch(noop)
    call.reject(call.error)
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function tooLarge(message: Message, byteLimit: number): EventwireError {
  return new DeliveryError(
    'EVENTWIRE_MESSAGE_TOO_LARGE',
    `a ${message.kind} message of ${message.bytes} bytes cannot fit in a request of byteLimit ${byteLimit} bytes`,
  )
}

function storeError(error: unknown): EventwireError {
  if (isEventwireError(error)) return error
  return new DeliveryError('EVENTWIRE_STORE_FAILED', `event store add failed: ${(error as Error)?.message}`, {
    cause: error,
    retryable: true,
  })
}
