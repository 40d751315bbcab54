import type { Message } from '../internal/index.js'

interface Waiter {
  /** Ids of outstanding messages accepted after this flush was asked for: it does not wait for them. */
  readonly after: Set<string>
  readonly promise: Promise<void>
  readonly resolve: () => void
}

/**
 * Counts messages accepted but not yet final (delivered, dropped or finally failed) and resolves
 * `flush()` promises once everything accepted before each call is final.
 *
 * While no flush is waiting, accepting a message costs one increment. While one is, the ids of
 * messages accepted after it are remembered (so the flush does not wait for them) until they are
 * final. Overlapping calls share one promise when nothing was accepted in between.
 */
export class FlushTracker {
  #outstanding = 0
  #bytes = 0
  #waiters: Waiter[] = []
  readonly #onIdle: () => void

  /** `onIdle` runs each time the outstanding count drops to zero. */
  constructor(onIdle: () => void = () => {}) {
    this.#onIdle = onIdle
  }

  /** Messages accepted and not yet final. */
  get outstanding(): number {
    return this.#outstanding
  }

  /** Bytes of the outstanding messages that were accepted here (not of those found in a store). */
  get outstandingBytes(): number {
    return this.#bytes
  }

  /** Whether a flush is waiting. */
  get waiting(): boolean {
    return this.#waiters.length !== 0
  }

  /** Records one accepted message (its bytes are added by {@link addBytes} once known). */
  accept(message: Message): void {
    this.#outstanding++
    const waiters = this.#waiters
    for (let i = 0; i < waiters.length; i++) waiters[i]!.after.add(message.id)
  }

  /** Adds the bytes of accepted messages, once they are serialised. */
  addBytes(bytes: number): void {
    this.#bytes += bytes
  }

  /** Records `count` messages accepted earlier (found in a durable store): every flush waits for them. */
  acceptUntracked(count: number): void {
    this.#outstanding += count
  }

  /**
   * Records accepted messages as final (delivered, dropped or finally failed). `bytes` is how many
   * of the outstanding bytes they account for: by default their size, added when they were stored.
   */
  settle(messages: readonly Message[], bytes = sumBytes(messages)): void {
    if (messages.length === 0) return
    const before = this.#outstanding
    this.#outstanding = Math.max(0, before - messages.length)
    this.#bytes = this.#outstanding === 0 ? 0 : Math.max(0, this.#bytes - bytes)
    for (const waiter of this.#waiters) for (const m of messages) waiter.after.delete(m.id)
    this.#check(before)
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
      for (const waiter of this.#waiters) waiter.after.clear()
    }
    this.#check(before)
  }

  /** Resolves once every message accepted before this call is final. */
  wait(): Promise<void> {
    if (this.#outstanding === 0) return Promise.resolve()
    const last = this.#waiters[this.#waiters.length - 1]
    if (last !== undefined && last.after.size === 0) return last.promise
    let resolve!: () => void
    const promise = new Promise<void>((r) => {
      resolve = r
    })
    this.#waiters.push({ after: new Set(), promise, resolve })
    return promise
  }

  /** Resolves every waiting flush now (used when delivery stops for good). */
  releaseAll(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve()
  }

  #check(before: number): void {
    if (this.#waiters.length !== 0) {
      // Older waiters skip more messages, so they finish first; stop at the first one not done.
      while (this.#waiters.length !== 0) {
        const first = this.#waiters[0]!
        if (this.#outstanding - first.after.size > 0) break
        this.#waiters.shift()
        first.resolve()
      }
    }
    if (this.#outstanding === 0 && before > 0) this.#onIdle()
  }
}

function sumBytes(messages: readonly Message[]): number {
  let bytes = 0
  for (const m of messages) bytes += m.bytes
  return bytes
}
