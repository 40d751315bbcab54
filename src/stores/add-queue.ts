import { type AbortWatch, type Clock, watchAbort } from '../internal/index.js'
import type { Message } from '../message/index.js'
import type { AddResult } from './event-store.js'

/** What a commit did with one offered message. */
export interface AddOutcome {
  /** True when the message is now held by the store. */
  readonly stored: boolean
  /** Messages evicted to make room for this one (`drop-oldest`). */
  readonly evicted: readonly Message[]
}

/**
 * Writes messages in order in one transaction and says what happened to each. It may handle only
 * a prefix of `messages` (returning fewer outcomes) when the store is full under `'block'`: the
 * rest wait for room and are offered again.
 */
export type CommitFn = (
  messages: readonly Message[],
) => readonly AddOutcome[] | Promise<readonly AddOutcome[]>

/** Options of {@link AddQueue}. */
export interface AddQueueOptions {
  /** Most messages per commit. */
  readonly maxBatch: number
  /** Time source for the room poll. */
  readonly clock: Clock
  /**
   * While blocked for room, look again after this many milliseconds even without `wake()` (room
   * freed by another process). Undefined: only `wake()` retries.
   */
  readonly pollMs?: number
}

interface PendingAdd {
  readonly messages: readonly Message[]
  next: number
  accepted: number
  readonly dropped: Message[]
  readonly signal: AbortSignal | undefined
  readonly resolve: (result: AddResult) => void
  readonly reject: (error: unknown) => void
  watch: AbortWatch | undefined
  done: boolean
}

/**
 * Group commit for durable stores: `add()` calls made in the same event-loop turn are written
 * together in one transaction, and each call resolves only after the commit holding its last
 * message. Calls are committed strictly in arrival order, also while waiting for room.
 */
export class AddQueue {
  readonly #commit: CommitFn
  readonly #options: AddQueueOptions
  readonly #pending: PendingAdd[] = []
  #running: Promise<void> | undefined
  #scheduled = false
  #wakeUp: (() => void) | undefined
  #failure: Error | undefined

  constructor(commit: CommitFn, options: AddQueueOptions) {
    this.#commit = commit
    this.#options = options
  }

  /** Queues messages for the next commit; resolves with what happened to them. */
  add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (messages.length === 0) return Promise.resolve({ accepted: 0, dropped: [] })
    return new Promise<AddResult>((resolve, reject) => {
      const pending: PendingAdd = {
        messages,
        next: 0,
        accepted: 0,
        dropped: [],
        signal,
        resolve,
        reject,
        done: false,
        watch: undefined,
      }
      if (signal !== undefined) pending.watch = watchAbort(signal, { onAbort: () => this.#abort(pending) })
      this.#pending.push(pending)
      this.#schedule()
    })
  }

  /** Room may have been freed: retry a blocked commit now. */
  wake(): void {
    const wake = this.#wakeUp
    this.#wakeUp = undefined
    wake?.()
  }

  /**
   * Commits everything that can be committed without waiting for room, and waits for a commit in
   * progress. Used before reads so they see every message whose `add()` was called.
   */
  async settle(): Promise<void> {
    while (this.#running !== undefined && this.#wakeUp === undefined) await this.#running
    if (this.#running === undefined && this.#pending.length > 0) await this.#pump(false)
  }

  /** Rejects every waiting call with `error` and refuses new ones. */
  fail(error: Error): void {
    this.#failure = error
    for (const pending of this.#pending.splice(0)) this.#finish(pending, { error })
    this.wake()
  }

  #schedule(): void {
    if (this.#scheduled || this.#running !== undefined) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      if (this.#running === undefined) void this.#pump(true)
    })
  }

  /** Commits batches until nothing is pending, or (when `wait` is false) the store is full. */
  #pump(wait: boolean): Promise<void> {
    const run = (async () => {
      while (this.#pending.length > 0 && this.#failure === undefined) {
        const handled = await this.#commitBatch()
        if (handled) continue
        if (!wait) return
        await this.#waitForRoom()
      }
    })()
    const tracked = run.finally(() => {
      if (this.#running === tracked) this.#running = undefined
      if (this.#pending.length > 0 && this.#failure === undefined) this.#schedule()
    })
    this.#running = tracked
    return tracked
  }

  /** One commit; false when the store was full and nothing could be handled. */
  async #commitBatch(): Promise<boolean> {
    const batch: Message[] = []
    const owners: PendingAdd[] = []
    for (const pending of this.#pending) {
      for (let i = pending.next; i < pending.messages.length && batch.length < this.#options.maxBatch; i++) {
        batch.push(pending.messages[i]!)
        owners.push(pending)
      }
      if (batch.length >= this.#options.maxBatch) break
    }
    let outcomes: readonly AddOutcome[]
    try {
      outcomes = await this.#commit(batch)
    } catch (error) {
      const failed = new Set(owners)
      for (const pending of failed) this.#finish(pending, { error })
      return true
    }
    outcomes.forEach((outcome, i) => {
      const pending = owners[i]!
      pending.next++
      if (outcome.stored) pending.accepted++
      else pending.dropped.push(batch[i]!)
      pending.dropped.push(...outcome.evicted)
      if (pending.next === pending.messages.length) this.#finish(pending)
    })
    return outcomes.length > 0
  }

  #waitForRoom(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer =
        this.#options.pollMs === undefined
          ? undefined
          : this.#options.clock.setTimeout(() => this.wake(), this.#options.pollMs)
      this.#wakeUp = () => {
        timer?.cancel()
        resolve()
      }
    })
  }

  #abort(pending: PendingAdd): void {
    if (pending.done) return
    const index = this.#pending.indexOf(pending)
    if (index !== -1) this.#pending.splice(index, 1)
    this.#finish(pending, { error: pending.signal?.reason })
    // The blocked head may have been this call: let the next one try.
    this.wake()
  }

  #finish(pending: PendingAdd, failure?: { error: unknown }): void {
    if (pending.done) return
    pending.done = true
    pending.watch?.cancel()
    const index = this.#pending.indexOf(pending)
    if (index !== -1) this.#pending.splice(index, 1)
    if (failure !== undefined) pending.reject(failure.error)
    else pending.resolve({ accepted: pending.accepted, dropped: pending.dropped })
  }
}
