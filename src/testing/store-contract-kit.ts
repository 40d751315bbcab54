import type { Clock } from '../internal/index.js'
import { createMessage, type Endpoint, type JsonObject, type Message } from '../message/index.js'
import type { EventStore, Lease, LeaseOptions, StoreCapacityOptions } from '../stores/index.js'

/** A lease duration no test outlives. */
const LONG_LEASE_MS = 60_000

/** Wraps one contract test: a fresh store with `capacity`, closed afterwards. */
export type WithStore = (
  capacity: StoreCapacityOptions,
  body: (h: Harness) => Promise<void>,
) => () => Promise<void>

/** What one contract test gets. */
export interface Harness {
  store: EventStore
  clock: Clock
  reopen(): Promise<EventStore>
  advance(ms: number): Promise<void>
}

/** The id of message `i`. */
export function id(i: number): string {
  return `contract-${String(i).padStart(4, '0')}`
}

/** A message numbered `i`, of `kind`, about 150 bytes. */
export function msg(i: number, kind: Endpoint = 'events', createdAt = 1_700_000_000_000 + i): Message {
  const properties = { $insert_id: id(i), distinct_id: `user-${i % 7}`, n: i, pad: 'x'.repeat(40) }
  const body: JsonObject =
    kind === 'events' || kind === 'imports'
      ? { event: 'Contract', properties }
      : { $distinct_id: `user-${i}`, $set: properties }
  return createMessage(kind, id(i), body, createdAt)
}

/** `from` … `to - 1`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}

/** The message ids of a lease, in order. */
export function ids(lease: Lease | undefined): string[] {
  return lease?.items.map((item) => item.message.id) ?? []
}

/** Leases up to `maxCount` messages of the oldest kind. */
export function leaseAll(store: EventStore, maxCount = 1000): Promise<Lease | undefined> {
  return take(store, { maxCount })
}

/** Leases with defaults: up to 1000 messages, no byte limit, a lease that does not lapse in a test. */
export function take(store: EventStore, options: Partial<LeaseOptions> = {}): Promise<Lease | undefined> {
  return store.lease({ maxCount: 1000, maxBytes: 1e9, leaseMs: LONG_LEASE_MS, ...options })
}

/** Leases for `leaseMs`. */
export function leaseFor(store: EventStore, leaseMs: number): Promise<Lease | undefined> {
  return take(store, { leaseMs })
}

/** Waits `ms` real milliseconds. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
