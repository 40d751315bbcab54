import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildSelfDescribingEvent, newTracker } from '@snowplow/node-tracker'
import { Emitter, Tracker } from '../../src/snowplow/index.js'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'
import { assertValidPayloads, contextsOf, eventsOf, unstruct } from './helpers.js'

const EVENT = {
  schema: 'iglu:com.acme/checkout_started/jsonschema/1-0-2',
  data: { cartId: 'c-42', total: 99.95, items: [{ sku: 'A', qty: 2 }], coupon: null, note: 'ünïcode ✓' },
}
const ENTITY = { schema: 'iglu:com.acme/store/jsonschema/1-0-0', data: { id: 'berlin-1' } }

describe('eventwire and the official @snowplow/node-tracker send the same self-describing event', () => {
  let collector: TestReceiver
  before(async () => {
    collector = await startTestReceiver(() => ({ status: 200, body: 'ok' }))
  })
  after(() => collector.close())

  test('both payloads validate and carry the same schema, data and entities', async () => {
    const url = new URL(collector.origin)
    const official = newTracker(
      { namespace: 'official', appId: 'shop', encodeBase64: true },
      {
        endpoint: url.hostname,
        port: Number(url.port),
        protocol: 'http',
        eventMethod: 'post',
        bufferSize: 1,
      },
    )
    official.track(buildSelfDescribingEvent({ event: EVENT }), [ENTITY])
    await official.flush()

    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 1 })
    const ours = new Tracker({ namespace: 'eventwire', appId: 'shop', emitters: emitter })
    await ours.trackSelfDescribingEvent({ event: EVENT, context: [ENTITY] })
    await ours.flush()
    await emitter.close()

    const events = collector.requests.flatMap(eventsOf)
    assert.equal(events.length, 2)
    assertValidPayloads(events)
    const [theirs, mine] = events as [Record<string, string>, Record<string, string>]
    assert.equal(theirs.tna, 'official')
    assert.equal(mine.tna, 'eventwire')
    assert.deepEqual(unstruct(mine), unstruct(theirs))
    assert.deepEqual(unstruct(mine).data, EVENT)
    assert.deepEqual(contextsOf(mine)?.data, contextsOf(theirs)?.data)
    for (const key of ['e', 'aid', 'p']) assert.equal(mine[key], theirs[key], key)
    assert.equal(mine.ue_px, theirs.ue_px, 'the same base64 encoding, padding included')
  })
})
