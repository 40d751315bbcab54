import { createMessage, type JsonObject, type Message } from '../message/index.js'
import type { AddResult, EventStore, Lease, LeaseOptions, StoreSize } from '../stores/index.js'

/**
 * The store as a worker's BatchConsumer sees it: the shared store, plus two things only a worker
 * needs. Messages that carry no project token get the worker's (producers written in other
 * languages may leave it to the worker). And once the worker is stopping, it takes no new leases,
 * so shutdown only finishes the requests already in flight.
 */
export class WorkerStore implements EventStore {
  readonly #inner: EventStore
  readonly #token: string
  #leasing = true

  constructor(inner: EventStore, token: string) {
    this.#inner = inner
    this.#token = token
  }

  /** From now on `lease()` finds nothing; messages stay in the shared store for other workers. */
  stopLeasing(): void {
    this.#leasing = false
  }

  add(messages: readonly Message[], signal?: AbortSignal): Promise<AddResult> {
    return this.#inner.add(messages, signal)
  }

  async lease(options: LeaseOptions): Promise<Lease | undefined> {
    if (!this.#leasing) return undefined
    const lease = await this.#inner.lease(options)
    if (lease === undefined) return undefined
    if (lease.items.every((item) => hasToken(item.message))) return lease
    return {
      ...lease,
      items: lease.items.map((item) =>
        hasToken(item.message) ? item : { ...item, message: withToken(item.message, this.#token) },
      ),
    }
  }

  ack(lease: Lease, ids: readonly string[]): Promise<void> {
    return this.#inner.ack(lease, ids)
  }

  release(lease: Lease, ids: readonly string[], notBefore: number): Promise<void> {
    return this.#inner.release(lease, ids, notBefore)
  }

  size(): Promise<StoreSize> {
    return this.#inner.size()
  }

  close(): Promise<void> {
    return this.#inner.close()
  }
}

function hasToken(message: Message): boolean {
  const body = message.body
  if (message.kind === 'events' || message.kind === 'imports') {
    const properties = body.properties
    return typeof properties === 'object' && properties !== null && 'token' in properties
  }
  return '$token' in body
}

function withToken(message: Message, token: string): Message {
  const body: JsonObject =
    message.kind === 'events' || message.kind === 'imports'
      ? { ...message.body, properties: { ...(message.body.properties as JsonObject | undefined), token } }
      : { $token: token, ...message.body }
  return createMessage(message.kind, message.id, body, message.createdAt)
}
