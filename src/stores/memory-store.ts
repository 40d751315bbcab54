import { randomUUID } from 'node:crypto'
import { EventwireError } from '../errors/index.js'
import {
  type Clock,
  ENDPOINTS,
  type Endpoint,
  type Message,
  messageFromJson,
  systemClock,
  watchAbort,
} from '../internal/index.js'
import {
  type AddResult,
  type EventStore,
  type Lease,
  type LeasedMessage,
  type LeaseOptions,
  type OverflowPolicy,
  resolveCapacity,
  type StoreCapacityOptions,
  type StoreSize,
} from './event-store.js'

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions extends StoreCapacityOptions {
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
}

interface Entry {
  readonly id: string
  readonly kind: Endpoint
  readonly bytes: number
  readonly createdAt: number
  readonly seq: number
  /** The slab holding the message's JSON while it waits for its first lease. */
  slab: Slab | undefined
  offset: number
  /** The message, once leased (or evicted): read back from the slab, or kept as it came. */
  message: Message | undefined
  attempts: number
  notBefore: number
  lease: string | undefined
  /** False once acknowledged or evicted; stale queue slots are skipped lazily. */
  alive: boolean
}

/** What the store keeps of a lease it handed out. */
interface HeldLease {
  readonly expiresAt: number
  readonly entries: Entry[]
}

/** Slab size: most waiting messages share one; a larger message gets a slab of its own size. */
const SLAB_BYTES = 256 * 1024
/** Empty slabs kept for reuse. */
const SPARE_SLABS = 4

/**
 * A block of memory outside the JavaScript heap holding the UTF-8 JSON of waiting messages,
 * written one after another. It is reused once every message written to it has been leased.
 */
class Slab {
  readonly buffer: Buffer
  used = 0
  /** Messages whose JSON is here and still needed. */
  live = 0

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafeSlow(size)
  }
}

/** A FIFO of entries with O(1) shift; removed entries are skipped lazily. */
class Queue {
  items: Entry[] = []
  head = 0
  get length(): number {
    return this.items.length - this.head
  }
  peek(): Entry | undefined {
    return this.items[this.head]
  }
  shift(): Entry | undefined {
    const entry = this.items[this.head++]
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return entry
  }
}

/**
 * The default store: messages wait in memory, so they are lost if the process dies (use
 * `SqliteEventStore` from `eventwire/sqlite` when that matters). Bounded by count and bytes.
 *
 * A waiting message's JSON is kept as UTF-8 in slabs outside the JavaScript heap, reused as soon
 * as their messages are leased: a full buffer of 10,000 events then costs the garbage collector
 * almost nothing (on the heap they would be copied into the old generation, and stay there until
 * a full collection). Leased messages are read back as new `Message` objects (with the same id,
 * kind, JSON and creation time).
 */
export class InMemoryEventStore implements EventStore {
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  readonly #clock: Clock
  /** Entries by message id: everything held. */
  /** Messages held (ready, leased or backing off). Ids may repeat: each add is its own entry. */
  #count = 0
  /** Ready entries per kind, in arrival order; entries no longer ready are skipped lazily. */
  readonly #ready = new Map<Endpoint, Queue>(ENDPOINTS.map((k) => [k, new Queue()]))
  /** Entries backing off (released with a future notBefore). */
  #delayed: Entry[] = []
  /**
   * Leases out, by id. Only the entries and deadline are kept, never the `Lease` handed out: a
   * Map's replaced backing tables linger in the old generation until a full collection, and young
   * objects they point to are kept (and promoted) by every scavenge until then.
   */
  readonly #leases = new Map<string, HeldLease>()
  readonly #waiters: Array<() => void> = []
  /** The slab each kind writes to (kinds are leased separately, so they do not share one). */
  readonly #writing = new Map<Endpoint, Slab>()
  readonly #spare: Slab[] = []
  #bytes = 0
  #readyCount = 0
  #seq = 0
  #closed = false

  constructor(options: InMemoryEventStoreOptions = {}) {
    const capacity = resolveCapacity(options)
    this.bufferCapacity = capacity.bufferCapacity
    this.maxBufferBytes = capacity.maxBufferBytes
    this.overflow = capacity.overflow
    this.#clock = options.clock ?? systemClock
  }

  /** Bytes of slab memory (outside the JavaScript heap) held for waiting messages' JSON, spares included. */
  get slabBytes(): number {
    const slabs = new Set<Slab>([...this.#writing.values(), ...this.#spare])
    for (const queue of this.#ready.values()) {
      for (let i = queue.head; i < queue.items.length; i++) {
        const slab = queue.items[i]!.slab
        if (slab !== undefined) slabs.add(slab)
      }
    }
    for (const entry of this.#delayed) if (entry.slab !== undefined) slabs.add(entry.slab)
    let bytes = 0
    for (const slab of slabs) bytes += slab.buffer.length
    return bytes
  }

  async add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    this.#assertOpen()
    const dropped: Message[] = []
    let accepted = 0
    for (const message of messages) {
      if (!this.#fits(message)) {
        if (this.overflow === 'drop-newest' || message.bytes > this.maxBufferBytes) {
          dropped.push(message)
          continue
        }
        if (this.overflow === 'drop-oldest') {
          while (!this.#fits(message)) {
            const evicted = this.#evictOldest()
            if (evicted === undefined) break
            dropped.push(evicted)
          }
        } else {
          while (!this.#fits(message)) await this.#waitForRoom(signal)
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
    this.#promoteDelayed(now)
    const kind = options.kind ?? this.#oldestReadyKind()
    if (kind === undefined) return undefined
    const queue = this.#ready.get(kind)!
    const id = randomUUID()
    const entries: Entry[] = []
    const items: LeasedMessage[] = []
    let bytes = 0
    while (entries.length < options.maxCount) {
      const entry = this.#peekReady(queue)
      if (entry === undefined) break
      if (entries.length > 0 && bytes + entry.bytes > options.maxBytes) break
      queue.shift()
      this.#readyCount--
      entry.lease = id
      bytes += entry.bytes
      entries.push(entry)
      items.push({ message: this.#takeMessage(entry), attempts: entry.attempts })
    }
    if (entries.length === 0) return undefined
    const lease: Lease = { id, kind, items, expiresAt: now + options.leaseMs }
    this.#leases.set(id, { expiresAt: lease.expiresAt, entries })
    return lease
  }

  async ack(lease: Lease, ids: readonly string[]): Promise<void> {
    for (const entry of this.#held(lease, ids)) {
      entry.alive = false
      entry.lease = undefined
      entry.message = undefined
      this.#count--
      this.#bytes -= entry.bytes
    }
    this.#forgetLeaseIfDone(lease.id)
    this.#wakeWaiters()
  }

  async release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    const now = this.#clock.now()
    for (const entry of this.#held(lease, ids)) {
      entry.lease = undefined
      entry.attempts++
      entry.notBefore = notBefore
      if (notBefore <= now) this.#makeReady(entry)
      else this.#delayed.push(entry)
    }
    this.#forgetLeaseIfDone(lease.id)
  }

  async size(): Promise<StoreSize> {
    const now = this.#clock.now()
    this.#expireLeases(now)
    this.#promoteDelayed(now)
    let oldestReadyAt: number | undefined
    for (const queue of this.#ready.values()) {
      const entry = this.#peekReady(queue)
      if (entry !== undefined && (oldestReadyAt === undefined || entry.createdAt < oldestReadyAt)) {
        oldestReadyAt = entry.createdAt
      }
    }
    let nextRetryAt: number | undefined
    for (const entry of this.#delayed)
      if (nextRetryAt === undefined || entry.notBefore < nextRetryAt) nextRetryAt = entry.notBefore
    let leased = 0
    for (const { entries } of this.#leases.values())
      for (const e of entries) if (e.lease !== undefined) leased++
    return {
      count: this.#count,
      bytes: this.#bytes,
      leased,
      ready: this.#readyCount,
      oldestReadyAt,
      nextRetryAt,
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#wakeWaiters()
    this.#spare.length = 0
  }

  /** The entries of `lease` still held by it whose message id is in `ids`. */
  #held(lease: Lease, ids: readonly string[]): Entry[] {
    const held = this.#leases.get(lease.id)
    if (held === undefined) return []
    const wanted = new Set(ids)
    return held.entries.filter((e) => e.lease === lease.id && e.alive && wanted.has(e.id))
  }

  #fits(message: Message): boolean {
    return this.#count < this.bufferCapacity && this.#bytes + message.bytes <= this.maxBufferBytes
  }

  #insert(message: Message): void {
    const bytes = message.bytes
    let slab: Slab | undefined = this.#slabFor(message.kind, bytes)
    const offset = slab.used
    if (slab.buffer.write(message.json, offset, 'utf8') === bytes) {
      slab.used += bytes
      slab.live++
    } else {
      // `bytes` is not the JSON's UTF-8 length (a hand-made Message): keep the message as it is.
      slab = undefined
    }
    const entry: Entry = {
      id: message.id,
      kind: message.kind,
      bytes,
      createdAt: message.createdAt,
      seq: this.#seq++,
      slab,
      offset,
      message: slab === undefined ? message : undefined,
      attempts: 0,
      notBefore: 0,
      lease: undefined,
      alive: true,
    }
    this.#count++
    this.#bytes += bytes
    this.#ready.get(message.kind)!.items.push(entry)
    this.#readyCount++
  }

  /** The slab `kind` writes its next `bytes` to: the current one, a spare, or a new one. */
  #slabFor(kind: Endpoint, bytes: number): Slab {
    const current = this.#writing.get(kind)
    if (current !== undefined && current.used + bytes <= current.buffer.length) return current
    const slab = bytes <= SLAB_BYTES ? (this.#spare.pop() ?? new Slab(SLAB_BYTES)) : new Slab(bytes)
    // The slab being left is reused once its last message is leased (see #takeMessage).
    this.#writing.set(kind, slab)
    return slab
  }

  /** The entry's message, read back from its slab the first time (which may free the slab). */
  #takeMessage(entry: Entry): Message {
    if (entry.message !== undefined) return entry.message
    const slab = entry.slab!
    const json = slab.buffer.toString('utf8', entry.offset, entry.offset + entry.bytes)
    entry.message = messageFromJson(entry.kind, entry.id, json, entry.createdAt, entry.bytes)
    entry.slab = undefined
    if (--slab.live === 0) {
      slab.used = 0
      const spare = this.#writing.get(entry.kind) !== slab && slab.buffer.length === SLAB_BYTES
      if (spare && this.#spare.length < SPARE_SLABS) this.#spare.push(slab)
    }
    return entry.message
  }

  #makeReady(entry: Entry): void {
    // A retried message is older than everything queued after it: put it back in arrival order.
    const queue = this.#ready.get(entry.kind)!
    const items = queue.items
    let i = items.length
    while (i > queue.head && items[i - 1]!.seq > entry.seq) i--
    items.splice(i, 0, entry)
    this.#readyCount++
  }

  /** First entry of the queue that is still held and not leased (skipping stale slots). */
  #peekReady(queue: Queue): Entry | undefined {
    for (;;) {
      const entry = queue.peek()
      if (entry === undefined) return undefined
      // Only due entries are ever queued as ready (see #makeReady), so no clock read per entry.
      if (entry.alive && entry.lease === undefined) {
        return entry
      }
      queue.shift()
    }
  }

  #oldestReadyKind(): Endpoint | undefined {
    let best: Entry | undefined
    for (const queue of this.#ready.values()) {
      const entry = this.#peekReady(queue)
      if (entry !== undefined && (best === undefined || entry.seq < best.seq)) best = entry
    }
    return best?.kind
  }

  #evictOldest(): Message | undefined {
    const kind = this.#oldestReadyKind()
    if (kind === undefined) return undefined
    const entry = this.#ready.get(kind)!.shift()!
    this.#readyCount--
    const message = this.#takeMessage(entry)
    entry.alive = false
    entry.message = undefined
    this.#count--
    this.#bytes -= entry.bytes
    return message
  }

  #promoteDelayed(now: number): void {
    if (this.#delayed.length === 0) return
    const still: Entry[] = []
    const due: Entry[] = []
    for (const entry of this.#delayed) {
      if (!entry.alive) continue
      if (entry.notBefore <= now) due.push(entry)
      else still.push(entry)
    }
    this.#delayed = still
    due.sort((a, b) => a.seq - b.seq)
    for (const entry of due) this.#makeReady(entry)
  }

  #expireLeases(now: number): void {
    for (const [id, { expiresAt, entries }] of this.#leases) {
      if (expiresAt > now) continue
      this.#leases.delete(id)
      for (const entry of entries) {
        if (entry.lease !== id || !entry.alive) continue
        entry.lease = undefined
        entry.notBefore = 0
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
      this.#waiters.push(() => {
        watch?.cancel()
        if (this.#closed) reject(closedError())
        else resolve()
      })
    })
  }

  #wakeWaiters(): void {
    for (const wake of this.#waiters.splice(0)) wake()
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError()
  }
}

function closedError(): EventwireError {
  return new EventwireError('EVENTWIRE_CLOSED', 'The event store is closed')
}
