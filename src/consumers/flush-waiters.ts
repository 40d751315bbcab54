import type { EventwireError, RejectedMessage } from '../errors/index.js'
import type { Endpoint, Message } from '../message/index.js'
import type { DeliveryReport } from './delivery-report.js'

/** What a flush waited for: the messages accepted before it that were delivered, refused or kept. */
export type FlushReport = DeliveryReport

interface Waiter {
  /** The kind of message waited for; every kind when undefined. */
  readonly kind: Endpoint | undefined
  /** Ids of outstanding messages accepted after this flush was asked for: it does not wait for them. */
  readonly after: Set<string>
  /** Messages of this flush kept for a later one (parked): no longer waited for. */
  parked: number
  readonly report: { delivered: Message[]; rejected: RejectedMessage[]; undelivered: Message[] }
  error: EventwireError | undefined
  readonly promise: Promise<void>
  readonly resolve: () => void
}

/**
 * Flushes waiting for everything accepted before them (of one kind, or all). While none waits,
 * accepting a message costs nothing here; while one does, the ids of messages accepted after it
 * are remembered until they are final, so it does not wait for them. Overlapping flushes share a
 * waiter when nothing was accepted in between.
 */
export class FlushWaiters {
  #waiters: Waiter[] = []
  /** Messages kept for the next flush (`BufferedConsumer`). */
  #parked: Message[] = []

  /** Whether a flush waits. */
  get waiting(): boolean {
    return this.#waiters.length !== 0
  }

  /** A message was accepted: flushes already waiting do not wait for it. */
  accept(message: Message): void {
    const waiters = this.#waiters
    for (let i = 0; i < waiters.length; i++) {
      const waiter = waiters[i]!
      if (mine(waiter, message)) waiter.after.add(message.id)
    }
  }

  /**
   * A waiter for the messages outstanding now (`remaining` of `kind`, or of all kinds); undefined
   * when nothing is outstanding.
   */
  wait(kind: Endpoint | undefined, remaining: number): { promise: Promise<void>; report(): FlushReport } {
    if (remaining === 0) {
      const empty = { delivered: [], rejected: [], undelivered: [], error: undefined }
      return { promise: Promise.resolve(), report: () => empty }
    }
    let waiter = this.#waiters[this.#waiters.length - 1]
    if (waiter === undefined || waiter.kind !== kind || waiter.after.size !== 0 || waiter.parked !== 0) {
      let resolve!: () => void
      const promise = new Promise<void>((r) => {
        resolve = r
      })
      waiter = {
        kind,
        after: new Set(),
        parked: 0,
        report: { delivered: [], rejected: [], undelivered: [] },
        error: undefined,
        promise,
        resolve,
      }
      this.#waiters.push(waiter)
    }
    const w = waiter
    return { promise: w.promise, report: () => ({ ...w.report, error: w.error }) }
  }

  /** Messages became final: delivered, or (with `rejected`, item by item) dropped. */
  settle(messages: readonly Message[], rejected: readonly RejectedMessage[] | undefined): void {
    for (const waiter of this.#waiters) {
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!
        if (!mine(waiter, message) || waiter.after.delete(message.id)) continue
        if (rejected === undefined) waiter.report.delivered.push(message)
        else waiter.report.rejected.push(rejected[i]!)
      }
    }
  }

  /** Messages were kept for a later flush: the flushes that include them no longer wait for them. */
  parked(messages: readonly Message[], error: EventwireError): void {
    for (const message of messages) this.#parked.push(message)
    for (const waiter of this.#waiters) {
      for (const message of messages) {
        if (!mine(waiter, message) || waiter.after.has(message.id)) continue
        waiter.parked++
        waiter.report.undelivered.push(message)
        waiter.error = error
      }
    }
  }

  /** Takes the kept messages back (a new flush sends them again). */
  unpark(): Message[] {
    return this.#parked.splice(0)
  }

  /** Messages kept for the next flush (of one kind, or all). */
  parkedCount(kind?: Endpoint): number {
    if (kind === undefined) return this.#parked.length
    let count = 0
    for (const m of this.#parked) if (m.kind === kind) count++
    return count
  }

  /** Nothing is outstanding any more (a store reported itself empty): forget what to skip. */
  forget(): void {
    for (const waiter of this.#waiters) waiter.after.clear()
  }

  /** Resolves the flushes that wait for nothing more; `remaining(kind)` is what is outstanding. */
  check(remaining: (kind: Endpoint | undefined) => number): void {
    const waiters = this.#waiters
    if (waiters.length === 0) return
    const done = waiters.filter((w) => remaining(w.kind) - w.after.size - w.parked <= 0)
    if (done.length === 0) return
    this.#waiters = waiters.filter((w) => !done.includes(w))
    for (const waiter of done) waiter.resolve()
  }

  /** Resolves every waiting flush (delivery stopped for good). */
  releaseAll(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve()
  }
}

/** Whether `waiter` waits for messages of the kind of `message`. */
function mine(waiter: Waiter, message: Message): boolean {
  return waiter.kind === undefined || waiter.kind === message.kind
}
