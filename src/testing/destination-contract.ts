import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Destination, requestBytes } from '../destinations/index.js'
import { RetryPolicy } from '../internal/index.js'
import { createMessage, ENDPOINTS, type Endpoint, type JsonObject, type Message } from '../message/index.js'
import { type HttpResponse, HttpTransport } from '../transport/index.js'
import { startTestReceiver, type TestReceiver } from './test-receiver.js'

/** How to run {@link runDestinationContract} against one destination. */
export interface DestinationContractOptions {
  /** Shown in the test names. */
  name: string
  /** Builds the destination, sending to `origin` (a loopback receiver the suite started). */
  create(origin: string): Destination
  /** The kinds it sends. @default every kind */
  kinds?: readonly Endpoint[]
  /** The `n`-th message of a batch of `kind`. @default a Mixpanel-shaped event or profile update */
  message?(kind: Endpoint, n: number): Message
}

function defaultMessage(kind: Endpoint, n: number): Message {
  const id = `contract-${kind}-${n}`
  const body: JsonObject =
    kind === 'events' || kind === 'imports'
      ? { event: 'Contract', properties: { token: 'contract-token', $insert_id: id, time: 1, n } }
      : { $token: 'contract-token', $distinct_id: `user-${n}`, $set: { n } }
  return createMessage(kind, id, body, 0)
}

/**
 * The contract every `Destination` keeps, as `node:test` tests: requests stay within the size its
 * framing declares and reach the receiver; every message of a batch gets exactly one fate; a 2xx
 * delivers, 5xx and 429 are retried (with `Retry-After`), a 413 splits a batch and refuses a single
 * message as too large, a 400 is refused; `customRetryCodes` win. Call it at the top level of a
 * test file.
 */
export function runDestinationContract(options: DestinationContractOptions): void {
  const kinds = options.kinds ?? ENDPOINTS
  const messageOf = options.message ?? defaultMessage
  const batch = (kind: Endpoint, count: number) => Array.from({ length: count }, (_, n) => messageOf(kind, n))
  const policy = new RetryPolicy()
  let receiver: TestReceiver
  let transport: HttpTransport
  let destination: Destination

  describe(`Destination contract: ${options.name}`, () => {
    before(async () => {
      receiver = await startTestReceiver()
      transport = new HttpTransport()
      destination = options.create(receiver.origin)
    })
    after(async () => {
      await transport.close()
      await receiver.close()
    })

    test('a request stays within its framing and reaches the receiver', async () => {
      for (const kind of kinds) {
        const messages = batch(kind, Math.min(5, destination.maxBatchSize(kind)))
        const request = await destination.encode(kind, messages)
        const bytes = messages.reduce((n, m) => n + m.bytes, 0)
        assert.ok(request.bodyBytes <= requestBytes(destination.framing(kind), messages.length, bytes))
        assert.ok(request.url.startsWith(receiver.origin), `${kind} goes to the receiver`)
        const before = receiver.requests.length
        const response = await transport.send(request)
        assert.equal(response.status, 200)
        assert.equal(receiver.requests.length, before + 1)
      }
    })

    test('a 2xx from the receiver delivers every message of the batch', async () => {
      for (const kind of kinds) {
        const messages = batch(kind, Math.min(3, destination.maxBatchSize(kind)))
        const response = await transport.send(await destination.encode(kind, messages))
        const outcome = destination.classify(kind, messages, response, policy, Date.now())
        assert.deepEqual(ids(outcome.delivered), ids(messages))
        assertOneFate(messages, outcome)
      }
    })

    test('5xx and 429 are retried, honouring Retry-After; a 400 is refused for good', () => {
      const kind = kinds[0]!
      const messages = batch(kind, Math.min(3, destination.maxBatchSize(kind)))
      const now = 1_700_000_000_000
      for (const status of [500, 503]) {
        const outcome = destination.classify(kind, messages, answer(status), policy, now)
        assert.deepEqual(ids(outcome.retry), ids(messages), `${status} is retried`)
        assert.equal(outcome.retryError?.retryable, true)
        assertOneFate(messages, outcome)
      }
      const limited = destination.classify(kind, messages, answer(429, { 'retry-after': '2' }), policy, now)
      assert.deepEqual(ids(limited.retry), ids(messages))
      assert.equal(limited.retryAfterMs, 2000)
      const refused = destination.classify(kind, messages, answer(400), policy, now)
      assert.deepEqual(ids(refused.rejected.map((r) => r.message)), ids(messages), '400 is refused')
      assert.ok(refused.rejected.every((r) => r.reason === 'rejected' && r.error.code !== undefined))
      assertOneFate(messages, refused)
    })

    test('a 413 splits a batch, and refuses a single message as too large', () => {
      const kind = kinds[0]!
      const pair = batch(kind, 2)
      if (destination.maxBatchSize(kind) > 1) {
        const split = destination.classify(kind, pair, answer(413), policy, Date.now())
        assert.deepEqual(ids(split.split), ids(pair))
        assertOneFate(pair, split)
      }
      const single = pair.slice(0, 1)
      const refused = destination.classify(kind, single, answer(413), policy, Date.now())
      assert.deepEqual(
        refused.rejected.map((r) => r.reason),
        ['too_large'],
      )
    })

    test('customRetryCodes win over the defaults', () => {
      const kind = kinds[0]!
      const messages = batch(kind, 1)
      const custom = new RetryPolicy({ customRetryCodes: { 400: true, 503: false } })
      assert.equal(destination.classify(kind, messages, answer(400), custom, 0).retry.length, 1)
      assert.equal(destination.classify(kind, messages, answer(503), custom, 0).rejected.length, 1)
    })
  })
}

function answer(status: number, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body: '{"error":"contract"}' }
}

function ids(messages: readonly Message[]): string[] {
  return messages.map((m) => m.id)
}

/** Every message appears in exactly one of delivered, rejected, retry and split. */
function assertOneFate(
  messages: readonly Message[],
  outcome: {
    delivered: readonly Message[]
    rejected: readonly { message: Message }[]
    retry: readonly Message[]
    split: readonly Message[]
  },
): void {
  const fates = [
    ...outcome.delivered,
    ...outcome.rejected.map((r) => r.message),
    ...outcome.retry,
    ...outcome.split,
  ]
  assert.deepEqual(ids(fates).sort(), ids(messages).sort(), 'each message has exactly one fate')
}
