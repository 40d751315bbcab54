import { randomUUID } from 'node:crypto'
import { ClosedError } from '../errors/index.js'
import { type Clock, checkOptions, optionList, systemClock, watchAbort } from '../internal/index.js'
import { ENDPOINTS, type Endpoint, type Message } from '../message/index.js'
import {
  type AddResult,
  type EventStore,
  type Lease,
  type LeaseOptions,
  type OverflowPolicy,
  resolveCapacity,
  STORE_CAPACITY_OPTIONS,
  type StoreCapacityOptions,
  type StoreSize,
} from './event-store.js'
import { DelayedHeap, type Entry, ReadyQueue } from './memory-queues.js'

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions extends StoreCapacityOptions {
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
}

/** The names of {@link InMemoryEventStoreOptions}. */
export const IN_MEMORY_STORE_OPTIONS = optionList<InMemoryEventStoreOptions>()({
  ...STORE_CAPACITY_OPTIONS,
  clock: true,
})

/** What the store keeps of a lease it handed out. */
interface HeldLease {
  readonly expiresAt: number
  readonly entries: Entry[]
}

/**
 * The default store: messages wait in memory, so they are lost if the process dies (use
 * `SqliteEventStore` from `eventwire/sqlite` when that matters). Bounded by bytes (and, if set, a
 * count); when full, the overflow policy decides. Each message is held as it was added — the same
 * object, its JSON written once — until it is acknowledged.
 */
export class InMemoryEventStore implements EventStore {
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  readonly #clock: Clock
  /** Per kind, entries ready to lease, oldest first. */
  readonly #ready = new Map<Endpoint, ReadyQueue>(ENDPOINTS.map((k) => [k, new ReadyQueue()]))
  /** Entries backing off, until their `notBefore`. */
  readonly #delayed = new DelayedHeap()
  readonly #leases = new Map<string, HeldLease>()
  readonly #roomWaiters: Array<() => void> = []
  /** Messages held (ready, leased or backing off), and their bytes. */
  #count = 0
  #bytes = 0
  #readyCount = 0
  #seq = 0
  #closed = false

  constructor(options: InMemoryEventStoreOptions = {}) {
    checkOptions(options, IN_MEMORY_STORE_OPTIONS, 'InMemoryEventStore')
    const capacity = resolveCapacity(options)
    this.bufferCapacity = capacity.bufferCapacity
    this.maxBufferBytes = capacity.maxBufferBytes
    this.overflow = capacity.overflow
    this.#clock = options.clock ?? systemClock
  }

  async add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    this.#assertOpen()
    const dropped: Message[] = []
    let accepted = 0
    for (const message of messages) {
      if (!this.#fits(message)) {
        if (this.overflow === 'block' && message.bytes <= this.maxBufferBytes) {
          while (!this.#fits(message)) await this.#waitForRoom(signal)
        } else if (this.overflow === 'drop-oldest') {
          while (!this.#fits(message) && this.#evictOldest(dropped)) {}
        }
        if (!this.#fits(message)) {
          dropped.push(message)
          continue
        }
      }
      this.#insert(message)
      accepted++
    }
    return { accepted, dropped }
  }

  async lease(options: LeaseOptions): Promise<Lease | undefined> {
    this.#assertOpen()
    const now = this.#clock.now()
    this.#expireLeases(now)
    this.#promoteDue(now)
    const kind = options.kind ?? this.#oldestReadyKind()
    if (kind === undefined) return undefined
    const queue = this.#ready.get(kind)!
    const id = randomUUID()
    const entries: Entry[] = []
    let bytes = 0
    for (
      let next = queue.peek();
      next !== undefined && entries.length < options.maxCount;
      next = queue.peek()
    ) {
      if (entries.length > 0 && bytes + next.bytes > options.maxBytes) break
      queue.shift()
      this.#readyCount--
      next.lease = id
      bytes += next.bytes
      entries.push(next)
    }
    if (entries.length === 0) return undefined
    const expiresAt = now + options.leaseMs
    this.#leases.set(id, { expiresAt, entries })
    const items = entries.map((e) => ({ message: e.message, attempts: e.attempts }))
    return { id, kind, items, expiresAt }
  }

  async ack(lease: Lease, ids: readonly string[]): Promise<void> {
    for (const entry of this.#held(lease, ids)) {
      entry.alive = false
      entry.lease = undefined
      this.#count--
      this.#bytes -= entry.bytes
    }
    this.#forgetLeaseIfDone(lease.id)
    this.#wakeRoomWaiters()
  }

  async release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    const now = this.#clock.now()
    for (const entry of this.#held(lease, ids)) {
      entry.lease = undefined
      entry.attempts++
      if (notBefore <= now) this.#makeReady(entry)
      else {
        entry.notBefore = notBefore
        this.#delayed.push(entry)
      }
    }
    this.#forgetLeaseIfDone(lease.id)
  }

  async size(): Promise<StoreSize> {
    this.#assertOpen()
    const now = this.#clock.now()
    this.#expireLeases(now)
    this.#promoteDue(now)
    let oldestReadyAt: number | undefined
    let leased = 0
    for (const kind of ENDPOINTS) {
      const createdAt = this.#ready.get(kind)!.peek()?.message.createdAt
      if (createdAt !== undefined && (oldestReadyAt === undefined || createdAt < oldestReadyAt))
        oldestReadyAt = createdAt
    }
    for (const { entries } of this.#leases.values())
      for (const e of entries) if (e.lease !== undefined) leased++
    return {
      count: this.#count,
      bytes: this.#bytes,
      leased,
      ready: this.#readyCount,
      oldestReadyAt,
      nextRetryAt: this.#delayed.nextAt,
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#wakeRoomWaiters()
  }

  /** `close()`, for `await using store = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  /** The entries of `lease` still held by it whose message id is in `ids`. */
  #held(lease: Lease, ids: readonly string[]): Entry[] {
    const held = this.#leases.get(lease.id)
    if (held === undefined) return []
    const mine = (e: Entry) => e.lease === lease.id && e.alive
    const entries = held.entries
    // Usually the whole lease, in lease order: no set needed.
    if (ids.length === entries.length && entries.every((e, i) => e.message.id === ids[i]))
      return entries.filter(mine)
    const wanted = new Set(ids)
    return entries.filter((e) => mine(e) && wanted.has(e.message.id))
  }

  #fits(message: Message): boolean {
    return this.#count < this.bufferCapacity && this.#bytes + message.bytes <= this.maxBufferBytes
  }

  #insert(message: Message): void {
    const entry: Entry = {
      message,
      kind: message.kind,
      bytes: message.bytes,
      seq: this.#seq++,
      attempts: 0,
      notBefore: 0,
      lease: undefined,
      alive: true,
    }
    this.#count++
    this.#bytes += entry.bytes
    this.#readyCount++
    this.#ready.get(entry.kind)!.push(entry)
  }

  #makeReady(entry: Entry): void {
    entry.notBefore = 0
    this.#ready.get(entry.kind)!.insert(entry)
    this.#readyCount++
  }

  #oldestReadyKind(): Endpoint | undefined {
    let best: Endpoint | undefined
    let bestSeq = Number.POSITIVE_INFINITY
    for (const kind of ENDPOINTS) {
      const seq = this.#ready.get(kind)!.peek()?.seq
      if (seq !== undefined && seq < bestSeq) {
        best = kind
        bestSeq = seq
      }
    }
    return best
  }

  /** Evicts the oldest ready message into `dropped`; false when nothing is ready to evict. */
  #evictOldest(dropped: Message[]): boolean {
    const kind = this.#oldestReadyKind()
    if (kind === undefined) return false
    const entry = this.#ready.get(kind)!.shift()!
    this.#readyCount--
    entry.alive = false
    this.#count--
    this.#bytes -= entry.bytes
    dropped.push(entry.message)
    return true
  }

  #promoteDue(now: number): void {
    if (this.#delayed.size === 0) return
    for (const entry of this.#delayed.takeDue(now)) if (entry.alive) this.#makeReady(entry)
  }

  #expireLeases(now: number): void {
    for (const [id, held] of this.#leases) {
      if (held.expiresAt > now) continue
      this.#leases.delete(id)
      for (const entry of held.entries) {
        if (entry.lease !== id || !entry.alive) continue
        entry.lease = undefined
        this.#makeReady(entry)
      }
    }
  }

  #forgetLeaseIfDone(leaseId: string): void {
    const held = this.#leases.get(leaseId)
    if (held?.entries.every((e) => e.lease !== leaseId)) this.#leases.delete(leaseId)
  }

  #waitForRoom(signal?: AbortSignal): Promise<void> {
    this.#assertOpen()
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const watch = signal === undefined ? undefined : watchAbort(signal, { onAbort: reject })
      this.#roomWaiters.push(() => {
        watch?.cancel()
        if (this.#closed) reject(new ClosedError(STORE_CLOSED))
        else resolve()
      })
    })
  }

  #wakeRoomWaiters(): void {
    for (const wake of this.#roomWaiters.splice(0)) wake()
  }

  #assertOpen(): void {
    if (this.#closed) throw new ClosedError(STORE_CLOSED)
  }
}

const STORE_CLOSED = 'The event store is closed'
