import type { CloseResult, EventConsumer } from '../consumers/index.js'
import { ClosedError, DeliveryError } from '../errors/index.js'
import { type Endpoint, isEndpoint, type JsonObject, type Message } from '../message/index.js'

/** One message recorded by a test consumer. */
export interface RecordedMessage {
  endpoint: Endpoint
  /** The JSON body as it would have been sent (parsed back from the wire JSON). */
  message: JsonObject
}

/** An event as `track()` (`events`) or `import()` (`imports`) sends it. */
export interface RecordedEvent extends JsonObject {
  event: string
  properties: JsonObject
}

/** A consumer that records instead of sending. */
export interface TestConsumer extends EventConsumer {
  /** Everything sent so far, in order. */
  readonly sent: RecordedMessage[]
  /** Recorded events (`track()`) or imported events (`import()`), in order. */
  for(endpoint: 'events' | 'imports'): RecordedEvent[]
  /** Recorded messages for one endpoint. */
  for(endpoint: Endpoint): JsonObject[]
  /** Forgets everything recorded. */
  clear(): void
}

/**
 * A consumer for your unit tests: records `{ endpoint, message }` for every message (like the
 * seed's TestConsumer) and sends nothing. Messages are parsed back from their wire JSON, so what
 * you assert on is exactly what would have been sent.
 */
export function createTestConsumer(): TestConsumer {
  const sent: RecordedMessage[] = []
  let closed = false
  return {
    sent,
    for: ((endpoint: Endpoint) =>
      sent.filter((r) => r.endpoint === endpoint).map((r) => r.message)) as TestConsumer['for'],
    clear: () => {
      sent.length = 0
    },
    async send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void> {
      if (!isEndpoint(endpoint))
        throw new DeliveryError('EVENTWIRE_UNKNOWN_ENDPOINT', `Unknown endpoint ${JSON.stringify(endpoint)}`)
      if (closed) throw new ClosedError()
      const list = Array.isArray(message) ? (message as readonly Message[]) : [message as Message]
      for (const m of list) sent.push({ endpoint, message: JSON.parse(m.json) as JsonObject })
    },
    async flush(): Promise<void> {},
    async close(): Promise<CloseResult> {
      closed = true
      return { sent: sent.length, failed: 0, dropped: 0, pending: 0 }
    },
  }
}
