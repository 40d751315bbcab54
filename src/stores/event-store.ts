import type { RejectedMessage } from '../errors/index.js'
import { enumOption, intOption, optionList } from '../internal/index.js'
import type { Endpoint, Message } from '../message/index.js'

/** What a store does when it is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'block'

/** Capacity options shared by every store. */
export interface StoreCapacityOptions {
  /**
   * Most messages held (waiting, leased or backing off). The byte bound, `maxBufferBytes`, is what
   * normally limits a store; this count is a second, optional bound.
   * @default 10000000
   */
  bufferCapacity?: number
  /**
   * Most bytes of message JSON held: about 160,000 typical events of 400 bytes, so that bursts and
   * outages of minutes lose nothing while memory stays bounded.
   * @default 67108864 (64 MiB)
   */
  maxBufferBytes?: number
  /**
   * When full: `'drop-newest'` refuses the new messages (their calls reject with
   * `EVENTWIRE_QUEUE_FULL`), `'drop-oldest'` evicts the oldest waiting ones, `'block'` makes
   * `add()` wait for room (backpressure). Drops are returned by `add()` so the consumer counts and
   * reports them.
   * @default 'drop-newest'
   */
  overflow?: OverflowPolicy
}

/** The names of {@link StoreCapacityOptions}. */
export const STORE_CAPACITY_OPTIONS = optionList<StoreCapacityOptions>()({
  bufferCapacity: true,
  maxBufferBytes: true,
  overflow: true,
})

/** What `add()` did. */
export interface AddResult {
  /** Messages now held by the store. */
  readonly accepted: number
  /** Messages refused or evicted for lack of room (reason `queue_full`). */
  readonly dropped: readonly Message[]
}

/** A message handed out by a lease. */
export interface LeasedMessage {
  readonly message: Message
  /** Delivery attempts already made (0 for a fresh message). */
  readonly attempts: number
}

/** Messages of one kind reserved for one delivery attempt. */
export interface Lease {
  /** Unique per lease. */
  readonly id: string
  /** The endpoint every message in the lease is for. */
  readonly kind: Endpoint
  readonly items: readonly LeasedMessage[]
  /** After this time (ms since epoch) the lease lapses and its messages can be leased again. */
  readonly expiresAt: number
  /**
   * Messages the store found it cannot hand out and removed for good while taking this lease —
   * rows or entries that no longer read back as a message (reason `corrupt`) — each with its
   * reason and error; not in `items`. The consumer counts and reports them as dropped. Each
   * `message` is a stand-in carrying the row's id, kind and time where they were readable, and an
   * empty body. A lease may carry only these, with no `items`.
   */
  readonly dropped?: readonly RejectedMessage[]
}

/** What to lease. */
export interface LeaseOptions {
  /** Most messages. */
  readonly maxCount: number
  /** Most bytes of message JSON (at least one message is leased even if larger). */
  readonly maxBytes: number
  /** How long the lease holds, in milliseconds; a crashed holder's messages come back after it. */
  readonly leaseMs: number
  /** Only messages of this kind; by default the kind of the oldest ready message. */
  readonly kind?: Endpoint
}

/** A snapshot of a store's contents. */
export interface StoreSize {
  /** Messages held (ready, leased and backing off). */
  readonly count: number
  /** Bytes of message JSON held. */
  readonly bytes: number
  /** Messages currently leased. */
  readonly leased: number
  /** Messages ready to lease now. */
  readonly ready: number
  /** Creation time of the oldest ready message, if any. */
  readonly oldestReadyAt: number | undefined
  /** When the soonest backing-off message becomes ready, if any. */
  readonly nextRetryAt: number | undefined
}

/**
 * Where messages wait until delivered (seed 004's `event_store`). The guarantee is at-least-once:
 * a message leaves the store only through `ack()` — after it was delivered, or refused for good and
 * reported. A lease that is neither acknowledged nor released lapses after `leaseMs`, and its
 * messages are leased again; so a receiver may see a message twice and must deduplicate by
 * `$insert_id` (Mixpanel does).
 *
 * If a store method throws or rejects, the BatchConsumer reports the error (`failure` event and
 * logger) and retries the operation later; messages already added are not lost by the failure of
 * a later call. `add()` rejecting means those messages were not stored: the caller's `track()`
 * rejects with that error.
 */
export interface EventStore {
  /**
   * Most messages held, when the store has such a bound (every eventwire store does). A consumer
   * uses the capacity to send early when the store is full, and to cut `'block'` adds to what fits.
   */
  readonly bufferCapacity?: number
  /** Most bytes of message JSON held, when the store has such a bound. */
  readonly maxBufferBytes?: number
  /** What the store does when full, when it applies a policy (`'block'` makes `add()` wait). */
  readonly overflow?: OverflowPolicy
  /** Adds messages in order, applying the overflow policy. With `'block'`, waits for room (or `signal`). */
  add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult>
  /**
   * Leases ready messages of one kind, oldest first; undefined when none is ready. Rows that cannot
   * be read back are removed and returned in the lease's `dropped`, never left to block the others.
   */
  lease(options: LeaseOptions): Promise<Lease | undefined>
  /** Removes messages of a lease for good (delivered, or refused and reported). */
  ack(lease: Lease, ids: readonly string[]): Promise<void>
  /**
   * Returns messages of a lease for another attempt no earlier than `notBefore` (ms since epoch),
   * counting the attempt.
   */
  release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void>
  /** A snapshot of the contents. */
  size(): Promise<StoreSize>
  /** Releases resources. Messages not acknowledged stay in durable stores. Idempotent. */
  close(): Promise<void>
}

/** Defaults of {@link StoreCapacityOptions}. */
export const STORE_DEFAULTS = {
  bufferCapacity: 10_000_000,
  maxBufferBytes: 64 * 1024 * 1024,
  overflow: 'drop-newest' as OverflowPolicy,
}

const OVERFLOW: readonly OverflowPolicy[] = ['drop-newest', 'drop-oldest', 'block']

/** {@link StoreCapacityOptions} validated, defaults filled in. */
export interface ResolvedCapacity {
  readonly bufferCapacity: number
  readonly maxBufferBytes: number
  readonly overflow: OverflowPolicy
}

/** Validates the capacity options every store takes; throws `ConfigError` naming the bad one. */
export function resolveCapacity(options: StoreCapacityOptions): ResolvedCapacity {
  return {
    bufferCapacity: intOption('bufferCapacity', options.bufferCapacity, STORE_DEFAULTS.bufferCapacity, 1),
    maxBufferBytes: intOption('maxBufferBytes', options.maxBufferBytes, STORE_DEFAULTS.maxBufferBytes, 1),
    overflow: enumOption('overflow', options.overflow, OVERFLOW, STORE_DEFAULTS.overflow),
  }
}
