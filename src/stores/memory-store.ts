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
import { checkOptions } from '../internal/validate.js'
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
import { IN_MEMORY_STORE_OPTIONS } from './store-options.js'

/** Options of {@link InMemoryEventStore}. */
export interface InMemoryEventStoreOptions extends StoreCapacityOptions {
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
}

/**
 * A message held as an object: leased, backing off, back from a lease, or hand-made with a `bytes`
 * that is not its JSON's length. Messages waiting for their first lease are not entries: they are
 * rows of a {@link FreshRing}, which costs the garbage collector nothing.
 */
interface Entry {
  readonly id: string
  readonly kind: Endpoint
  readonly bytes: number
  readonly createdAt: number
  readonly seq: number
  /** Cleared once acknowledged or evicted. */
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
 * A block of memory outside the JavaScript heap holding the UTF-8 JSON and id of waiting messages,
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

/**
 * The messages of one kind waiting for their first lease, oldest first: one row per message in
 * typed columns (where its JSON and id lie in which slab, its size, order and creation time), so
 * that a full buffer of them is a few arrays, not thousands of objects for every scavenge to copy
 * and promote.
 */
class FreshRing {
  readonly #kind: Endpoint
  /** Called with a slab once no row needs it. */
  readonly #emptied: (slab: Slab) => void
  #capacity = 256
  #head = 0
  length = 0
  #seq = new Float64Array(this.#capacity)
  #createdAt = new Float64Array(this.#capacity)
  #offset = new Int32Array(this.#capacity)
  #bytes = new Int32Array(this.#capacity)
  #idBytes = new Int32Array(this.#capacity)
  #slabs: Array<Slab | undefined> = new Array(this.#capacity).fill(undefined)

  constructor(kind: Endpoint, emptied: (slab: Slab) => void) {
    this.#kind = kind
    this.#emptied = emptied
  }

  push(seq: number, createdAt: number, slab: Slab, offset: number, bytes: number, idBytes: number): void {
    if (this.length === this.#capacity) this.#grow()
    const i = (this.#head + this.length) % this.#capacity
    this.#seq[i] = seq
    this.#createdAt[i] = createdAt
    this.#slabs[i] = slab
    this.#offset[i] = offset
    this.#bytes[i] = bytes
    this.#idBytes[i] = idBytes
    this.length++
  }

  /** Order of the oldest row (Infinity when empty). */
  get headSeq(): number {
    return this.length === 0 ? Number.POSITIVE_INFINITY : this.#seq[this.#head]!
  }

  get headCreatedAt(): number {
    return this.#createdAt[this.#head]!
  }

  get headBytes(): number {
    return this.#bytes[this.#head]!
  }

  /** Removes the oldest row and returns it as an entry, reading its message back from the slab. */
  shift(): Entry {
    const kind = this.#kind
    const i = this.#head
    const slab = this.#slabs[i]!
    const offset = this.#offset[i]!
    const bytes = this.#bytes[i]!
    const json = slab.buffer.toString('utf8', offset, offset + bytes)
    const id = slab.buffer.toString('utf8', offset + bytes, offset + bytes + this.#idBytes[i]!)
    const createdAt = this.#createdAt[i]!
    const entry: Entry = {
      id,
      kind,
      bytes,
      createdAt,
      seq: this.#seq[i]!,
      message: messageFromJson(kind, id, json, createdAt, bytes),
      attempts: 0,
      notBefore: 0,
      lease: undefined,
      alive: true,
    }
    this.#slabs[i] = undefined
    this.#head = (i + 1) % this.#capacity
    this.length--
    if (--slab.live === 0) this.#emptied(slab)
    return entry
  }

  /** Adds the slabs rows point to. */
  collectSlabs(into: Set<Slab>): void {
    for (let n = 0; n < this.length; n++) into.add(this.#slabs[(this.#head + n) % this.#capacity]!)
  }

  #grow(): void {
    const capacity = this.#capacity * 2
    const order = (n: number) => (this.#head + n) % this.#capacity
    const seq = new Float64Array(capacity)
    const createdAt = new Float64Array(capacity)
    const offset = new Int32Array(capacity)
    const bytes = new Int32Array(capacity)
    const idBytes = new Int32Array(capacity)
    const slabs: Array<Slab | undefined> = new Array(capacity).fill(undefined)
    for (let n = 0; n < this.length; n++) {
      const i = order(n)
      seq[n] = this.#seq[i]!
      createdAt[n] = this.#createdAt[i]!
      offset[n] = this.#offset[i]!
      bytes[n] = this.#bytes[i]!
      idBytes[n] = this.#idBytes[i]!
      slabs[n] = this.#slabs[i]
    }
    this.#seq = seq
    this.#createdAt = createdAt
    this.#offset = offset
    this.#bytes = bytes
    this.#idBytes = idBytes
    this.#slabs = slabs
    this.#capacity = capacity
    this.#head = 0
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
 * A message waiting for its first lease is no object at all: its JSON and id are kept as UTF-8 in
 * slabs outside the JavaScript heap (reused as soon as their messages are leased), and the rest
 * in typed columns. A full buffer of 10,000 events then costs the garbage collector almost
 * nothing: as objects they would be copied into the old generation, and stay there until a full
 * collection. Leased messages are read back as new `Message` objects (with the same id, kind,
 * JSON and creation time).
 */
export class InMemoryEventStore implements EventStore {
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
  readonly #clock: Clock
  /** Messages held (ready, leased or backing off). Ids may repeat: each add is its own message. */
  #count = 0
  /** Per kind, messages waiting for their first lease, in arrival order. */
  readonly #fresh = new Map<Endpoint, FreshRing>(
    ENDPOINTS.map((k) => [k, new FreshRing(k, (slab) => this.#emptied(k, slab))]),
  )
  /**
   * Per kind, ready entries (back from a lease, or kept as objects), in arrival order; entries no
   * longer ready are skipped lazily. Leases take from here and `#fresh` by arrival order.
   */
  readonly #ready = new Map<Endpoint, Queue>(ENDPOINTS.map((k) => [k, new Queue()]))
  /** Entries backing off (released with a future notBefore). */
  #delayed: Entry[] = []
  /**
   * Leases out, by id. Only the entries and deadline are kept, never the `Lease` handed out, and a
   * record is emptied before it is deleted: a Map's replaced backing tables linger in the old
   * generation until a full collection, and young objects they point to are kept (and promoted)
   * by every scavenge until then.
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
    checkOptions(options, IN_MEMORY_STORE_OPTIONS, 'InMemoryEventStore')
    const capacity = resolveCapacity(options)
    this.bufferCapacity = capacity.bufferCapacity
    this.maxBufferBytes = capacity.maxBufferBytes
    this.overflow = capacity.overflow
    this.#clock = options.clock ?? systemClock
  }

  /** Bytes of slab memory (outside the JavaScript heap) held for waiting messages' JSON, spares included. */
  get slabBytes(): number {
    const slabs = new Set<Slab>([...this.#writing.values(), ...this.#spare])
    for (const ring of this.#fresh.values()) ring.collectSlabs(slabs)
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
    const id = randomUUID()
    const entries: Entry[] = []
    const items: LeasedMessage[] = []
    let bytes = 0
    const ring = this.#fresh.get(kind)!
    const queue = this.#ready.get(kind)!
    while (entries.length < options.maxCount) {
      const next = this.#nextBytes(ring, queue)
      if (next < 0) break
      if (entries.length > 0 && bytes + next > options.maxBytes) break
      const entry = this.#takeReady(ring, queue)
      entry.lease = id
      bytes += entry.bytes
      entries.push(entry)
      items.push({ message: entry.message!, attempts: entry.attempts })
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
    const older = (createdAt: number) => {
      if (oldestReadyAt === undefined || createdAt < oldestReadyAt) oldestReadyAt = createdAt
    }
    for (const kind of ENDPOINTS) {
      const ring = this.#fresh.get(kind)!
      if (ring.length > 0) older(ring.headCreatedAt)
      const entry = this.#peekReady(this.#ready.get(kind)!)
      if (entry !== undefined) older(entry.createdAt)
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
    const mine = (e: Entry) => e.lease === lease.id && e.alive
    const entries = held.entries
    // Usually the whole lease, in lease order: no set needed.
    if (ids.length === entries.length && entries.every((e, i) => e.id === ids[i])) return entries.filter(mine)
    const wanted = new Set(ids)
    return entries.filter((e) => mine(e) && wanted.has(e.id))
  }

  #fits(message: Message): boolean {
    return this.#count < this.bufferCapacity && this.#bytes + message.bytes <= this.maxBufferBytes
  }

  #insert(message: Message): void {
    const bytes = message.bytes
    const id = message.id
    const idBytes = Buffer.byteLength(id)
    const seq = this.#seq++
    // Room for one more character (up to 4 bytes) than claimed: JSON longer than its `bytes`
    // then always writes more than `bytes`, and is caught below instead of cut short.
    const slab = this.#slabFor(message.kind, bytes + idBytes + 4)
    const offset = slab.used
    this.#count++
    this.#bytes += bytes
    this.#readyCount++
    if (slab.buffer.write(message.json, offset, 'utf8') === bytes) {
      slab.buffer.write(id, offset + bytes, 'utf8')
      slab.used += bytes + idBytes
      slab.live++
      this.#fresh.get(message.kind)!.push(seq, message.createdAt, slab, offset, bytes, idBytes)
      return
    }
    // `bytes` is not the JSON's UTF-8 length (a hand-made Message): keep the message as it is.
    this.#ready.get(message.kind)!.items.push({
      id,
      kind: message.kind,
      bytes,
      createdAt: message.createdAt,
      seq,
      message,
      attempts: 0,
      notBefore: 0,
      lease: undefined,
      alive: true,
    })
  }

  /** The slab `kind` writes its next `bytes` to: the current one, a spare, or a new one. */
  #slabFor(kind: Endpoint, bytes: number): Slab {
    const current = this.#writing.get(kind)
    if (current !== undefined && current.used + bytes <= current.buffer.length) return current
    const slab = bytes <= SLAB_BYTES ? (this.#spare.pop() ?? new Slab(SLAB_BYTES)) : new Slab(bytes)
    // The slab being left is reused once its last message is leased (see #emptied).
    this.#writing.set(kind, slab)
    return slab
  }

  /** `slab` (last written for `kind`) holds nothing needed any more: it is reused. */
  #emptied(kind: Endpoint, slab: Slab): void {
    slab.used = 0
    const spare = this.#writing.get(kind) !== slab && slab.buffer.length === SLAB_BYTES
    if (spare && this.#spare.length < SPARE_SLABS) this.#spare.push(slab)
  }

  /**
   * Size of the next ready message of a kind (the older of the oldest in its `ring` and the oldest
   * ready entry in its `queue`), or -1 when none is ready.
   */
  #nextBytes(ring: FreshRing, queue: Queue): number {
    const entry = this.#peekReady(queue)
    if (entry !== undefined && entry.seq < ring.headSeq) return entry.bytes
    return ring.length > 0 ? ring.headBytes : -1
  }

  /** Takes the next ready message of a kind (there must be one) as an entry. */
  #takeReady(ring: FreshRing, queue: Queue): Entry {
    const entry = this.#peekReady(queue)
    this.#readyCount--
    if (entry !== undefined && entry.seq < ring.headSeq) return queue.shift()!
    return ring.shift()
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
    let best: Endpoint | undefined
    let bestSeq = Number.POSITIVE_INFINITY
    for (const kind of ENDPOINTS) {
      const seq = Math.min(
        this.#fresh.get(kind)!.headSeq,
        this.#peekReady(this.#ready.get(kind)!)?.seq ?? bestSeq,
      )
      if (seq < bestSeq) {
        best = kind
        bestSeq = seq
      }
    }
    return best
  }

  #evictOldest(): Message | undefined {
    const kind = this.#oldestReadyKind()
    if (kind === undefined) return undefined
    const entry = this.#takeReady(this.#fresh.get(kind)!, this.#ready.get(kind)!)
    const message = entry.message!
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
    for (const [id, held] of this.#leases) {
      if (held.expiresAt > now) continue
      const entries = held.entries.splice(0)
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
    if (held?.entries.every((e) => e.lease !== leaseId)) {
      // Emptied first: a table the Map replaced may still point to this record.
      held.entries.length = 0
      this.#leases.delete(leaseId)
    }
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
