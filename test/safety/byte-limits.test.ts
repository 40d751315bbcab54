/**
 * Byte limits are limits: whatever the messages, no request body is larger than `byteLimit` (or
 * Snowplow's `maxPostBytes`), because each destination owns its framing and the engine sizes
 * leases by it.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import fc from 'fast-check'
import { resolveEngineSettings } from '../../src/consumers/index.js'
import { type Destination, MixpanelDestination, requestBytes } from '../../src/destinations/index.js'
import {
  createMessage,
  ENDPOINTS,
  type Endpoint,
  type JsonObject,
  type Message,
} from '../../src/message/index.js'
import { Emitter, SnowplowDestination, Tracker } from '../../src/snowplow/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'

afterEach(cleanup)

const text = fc.string({ unit: fc.constantFrom('a', 'é', '日', '😀', '"', '\\', '\n', ' '), maxLength: 300 })
const body = fc.record({ name: text, n: fc.integer(), tags: fc.array(text, { maxLength: 4 }) })

function messagesOf(
  kind: Endpoint,
  bodies: readonly { name: string; n: number; tags: string[] }[],
): Message[] {
  return bodies.map((b, i) =>
    kind === 'events' || kind === 'imports'
      ? createMessage(kind, `id-${i}`, { event: b.name, properties: { token: 't', n: b.n, tags: b.tags } }, 0)
      : createMessage(kind, `id-${i}`, { $token: 't', $distinct_id: b.name, $set: { tags: b.tags } }, 0),
  )
}

/** Snowplow payloads as a tracker builds them (flat string fields). */
function payloadsOf(bodies: readonly { name: string; n: number; tags: string[] }[]): Message[] {
  return bodies.map((b, i) =>
    createMessage(
      'events',
      `eid-${i}`,
      { e: 'se', se_ca: b.name, se_ac: b.tags.join(','), eid: `eid-${i}` } as JsonObject,
      0,
    ),
  )
}

async function encodedBytes(
  destination: Destination,
  kind: Endpoint,
  messages: readonly Message[],
): Promise<number> {
  const request = await destination.encode(kind, messages)
  return request.bodyBytes
}

describe('request framing', () => {
  test('Mixpanel: a body is never larger than its framing says, for every kind', async () => {
    const destination = new MixpanelDestination({ gzip: false })
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        fc.array(body, { minLength: 1, maxLength: 30 }),
        async (kind, bodies) => {
          const messages = messagesOf(kind, bodies)
          const bytes = messages.reduce((n, m) => n + m.bytes, 0)
          const size = await encodedBytes(destination, kind, messages)
          assert.ok(size <= requestBytes(destination.framing(kind), messages.length, bytes), `${size} bytes`)
        },
      ),
      { numRuns: 200 },
    )
  })

  test('Snowplow POST: the envelope and each stm stamp are counted', async () => {
    const destination = new SnowplowDestination({ endpoint: 'http://127.0.0.1:1' })
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 30 }), async (bodies) => {
        const messages = payloadsOf(bodies)
        const bytes = messages.reduce((n, m) => n + m.bytes, 0)
        const size = await encodedBytes(destination, 'events', messages)
        assert.ok(
          size <= requestBytes(destination.framing('events'), messages.length, bytes),
          `${size} bytes`,
        )
      }),
      { numRuns: 200 },
    )
  })

  test('any lease the engine may take encodes within byteLimit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'mixpanel' | 'snowplow'>('mixpanel', 'snowplow'),
        fc.integer({ min: 600, max: 5000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(body, { minLength: 1, maxLength: 40 }),
        async (name, byteLimit, batchSize, bodies) => {
          const destination =
            name === 'mixpanel'
              ? new MixpanelDestination({ gzip: false })
              : new SnowplowDestination({ endpoint: 'http://127.0.0.1:1', maxPostBytes: byteLimit })
          const settings = resolveEngineSettings(
            'background',
            { destination, byteLimit, batchSize, logger: false, exitTimeoutMs: 0 },
            { batchSize, flushIntervalMs: 0, maxConcurrentRequests: 1, retryLimit: 0, retryBudgetMs: 0 },
          )
          await settings.parts.transport.close()
          // A lease, as every store takes it: oldest first, at most batchSize messages and
          // leaseBytesFor(batchSize) bytes, at least one message; messages over maxMessageBytes never get in.
          const all = (name === 'mixpanel' ? messagesOf('events', bodies) : payloadsOf(bodies)).filter(
            (m) => m.bytes <= settings.maxMessageBytes,
          )
          const lease: Message[] = []
          let bytes = 0
          for (const m of all) {
            if (lease.length >= settings.batchSize) break
            if (lease.length > 0 && bytes + m.bytes > settings.leaseBytesFor(settings.batchSize)) break
            lease.push(m)
            bytes += m.bytes
          }
          if (lease.length === 0) return
          const size = await encodedBytes(destination, 'events', lease)
          assert.ok(size <= byteLimit, `${size} > ${byteLimit} with ${lease.length} messages`)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('Snowplow Emitter against a collector', () => {
  test('maxPostBytes 1000, batches of 10: no POST body over 1000 bytes; each event arrives once', async () => {
    const collector = await startReceiver()
    const emitter = new Emitter({
      endpoint: collector.origin,
      maxPostBytes: 1000,
      batchSize: 10,
      flushIntervalMs: 0,
      logger: false,
    })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter })
    const sizes = [5, 40, 80, 120, 200]
    for (let i = 0; i < 200; i++) {
      void tracker.trackStructEvent({ category: 'c'.repeat(sizes[i % sizes.length]!), action: `a${i}` })
    }
    await emitter.flush()
    const posts = collector.requests.filter((r) => r.method === 'POST')
    assert.ok(posts.length > 20, 'the limit split the events into many requests')
    for (const post of posts)
      assert.ok(Buffer.byteLength(post.body) <= 1000, `${Buffer.byteLength(post.body)} bytes`)
    const arrived = posts.flatMap((p) =>
      (JSON.parse(p.body) as { data: JsonObject[] }).data.map((e) => e.se_ac),
    )
    assert.equal(new Set(arrived).size, 200)
    assert.equal(arrived.length, 200)
    await emitter.close()
  })
})
