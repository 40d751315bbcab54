import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { BatchConsumer, Mixpanel } from '../../src/index.js'
import { Emitter, type SnowplowPayload, Tracker } from '../../src/snowplow/index.js'
import { createFakeClock, startTestReceiver, type TestReceiver } from '../../src/testing/index.js'
import { tick, waitFor } from '../batch/helpers.js'
import { assertValidPayloads, contextsOf, eventsOf, unstruct } from './helpers.js'

const VIEWED = {
  schema: 'iglu:com.acme/viewed_product/jsonschema/1-0-0',
  data: { sku: 'A-1', price: 9.5, tags: ['x'] },
}
const USER = { schema: 'iglu:com.acme/user/jsonschema/1-0-0', data: { id: 'u-1' } }

describe('Snowplow Emitter and Tracker against a loopback collector', () => {
  let collector: TestReceiver
  before(async () => {
    collector = await startTestReceiver(() => ({ status: 200, body: 'ok' }))
  })
  beforeEach(() => {
    collector.reset()
    collector.handle(() => ({ status: 200, body: 'ok' }))
  })
  after(() => collector.close())

  const all = () => collector.requests.flatMap(eventsOf)

  test('POST: self-describing, structured and page-view events validate; base64 contexts decode', async () => {
    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 3, flushIntervalMs: 0 })
    const tracker = new Tracker({
      namespace: 'ns1',
      appId: 'shop',
      emitters: emitter,
      subject: { userId: 'u-1', ipAddress: '203.0.113.9' },
    })
    const eid = await tracker.trackSelfDescribingEvent({
      event: VIEWED,
      context: [USER],
      trueTimestamp: 1_700_000_000_000,
    })
    await tracker.trackStructEvent({
      category: 'shop',
      action: 'add',
      label: 'A-1',
      property: 'cart',
      value: 2,
    })
    await tracker.trackPageView({
      pageUrl: 'https://shop.example/p/1',
      pageTitle: 'P1',
      referrer: 'https://ref.example/',
    })
    await tracker.flush()
    assert.equal(collector.requests.length, 1, 'batchSize 3 sends one request')
    const events = all()
    assertValidPayloads(events)
    assert.deepEqual(
      events.map((e) => e.e),
      ['ue', 'se', 'pv'],
    )
    const [ue, se, pv] = events as [SnowplowPayload, SnowplowPayload, SnowplowPayload]
    assert.equal(ue.eid, eid)
    assert.deepEqual(unstruct(ue).data, VIEWED)
    assert.deepEqual(contextsOf(ue)?.data, [USER])
    assert.equal(ue.ue_pr, undefined)
    assert.match(ue.ue_px!, /^[A-Za-z0-9_-]+$/, 'URL-safe base64 without padding')
    assert.equal(ue.ttm, '1700000000000')
    assert.deepEqual([ue.tna, ue.aid, ue.p, ue.uid, ue.ip], ['ns1', 'shop', 'srv', 'u-1', '203.0.113.9'])
    assert.match(ue.tv!, /^eventwire-/)
    assert.deepEqual([se.se_ca, se.se_ac, se.se_la, se.se_pr, se.se_va], ['shop', 'add', 'A-1', 'cart', '2'])
    assert.deepEqual([pv.url, pv.page, pv.refr], ['https://shop.example/p/1', 'P1', 'https://ref.example/'])
    for (const e of events) assert.match(e.stm!, /^\d{13}$/, 'stm stamped at send time')
    await emitter.close()
  })

  test('base64 off: ue_pr and co carry plain JSON', async () => {
    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 1 })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter, encodeBase64: false })
    await tracker.trackSelfDescribingEvent({ event: VIEWED, context: [USER] })
    await tracker.flush()
    const [event] = all()
    assertValidPayloads([event!])
    assert.equal(event!.ue_px, undefined)
    assert.equal(event!.cx, undefined)
    assert.deepEqual(JSON.parse(event!.ue_pr!).data, VIEWED)
    assert.deepEqual(JSON.parse(event!.co!).data, [USER])
    await emitter.close()
  })

  test('GET: one event per request to /i, batchSize defaults to 1', async () => {
    const emitter = new Emitter({ endpoint: collector.origin, method: 'get' })
    const tracker = new Tracker({ namespace: 'ns', emitters: [emitter] })
    await tracker.trackSelfDescribingEvent({ event: VIEWED })
    await tracker.trackStructEvent({ category: 'c', action: 'a' })
    await tracker.flush()
    assert.equal(collector.requests.length, 2)
    assert.ok(collector.requests.every((r) => r.method === 'GET' && r.path === '/i'))
    const events = all()
    assertValidPayloads(events)
    assert.deepEqual(unstruct(events[0]!).data, VIEWED)
    await emitter.close()
  })

  test('endpoint with a scheme wins over protocol; host plus port and protocol otherwise', () => {
    const port = new URL(collector.origin).port
    assert.equal(
      new Emitter({ endpoint: collector.origin, protocol: 'https' }).destination.origin,
      collector.origin,
    )
    assert.equal(
      new Emitter({ endpoint: '127.0.0.1', protocol: 'http', port: Number(port) }).destination.origin,
      collector.origin,
    )
    assert.equal(
      new Emitter({ endpoint: 'collector.example.com' }).destination.origin,
      'https://collector.example.com',
    )
    assert.throws(() => new Emitter({ endpoint: '' }), {
      code: 'EVENTWIRE_INVALID_OPTION',
      option: 'endpoint',
    })
  })

  test('batchSize and byteLimit triggers', async () => {
    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 4, flushIntervalMs: 0 })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter })
    for (let i = 0; i < 3; i++) await tracker.trackStructEvent({ category: 'c', action: `a${i}` })
    await new Promise((r) => setTimeout(r, 50))
    assert.equal(collector.requests.length, 0, 'below batchSize nothing is sent')
    await tracker.trackStructEvent({ category: 'c', action: 'a3' })
    await waitFor(() => collector.requests.length > 0, 'the batch at batchSize')
    assert.equal(eventsOf(collector.requests[0]!).length, 4)
    await emitter.close()

    collector.reset()
    const bytes = new Emitter({
      endpoint: collector.origin,
      batchSize: 100,
      byteLimit: 1200,
      flushIntervalMs: 0,
    })
    const t2 = new Tracker({ namespace: 'ns', emitters: bytes })
    for (let i = 0; i < 12; i++) await t2.trackStructEvent({ category: 'c', action: 'x'.repeat(150) })
    await t2.flush()
    assert.ok(collector.requests.length >= 3, `byteLimit splits requests (${collector.requests.length})`)
    for (const r of collector.requests) assert.ok(r.body.length <= 1200, `request of ${r.body.length} bytes`)
    assert.equal(all().length, 12)
    await bytes.close()
  })

  test('onSuccess gets the payloads; non-retried codes are dropped and reach onFailure(sentCount, unsent)', async () => {
    const successes: SnowplowPayload[][] = []
    const failures: Array<[number, SnowplowPayload[]]> = []
    collector.handle((req) => (eventsOf(req)[0]!.se_ac === 'bad' ? { status: 422 } : { status: 200 }))
    const emitter = new Emitter({
      endpoint: collector.origin,
      batchSize: 1,
      onSuccess: (events) => successes.push(events),
      onFailure: (sent, unsent) => failures.push([sent, unsent]),
    })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter })
    await tracker.trackStructEvent({ category: 'c', action: 'good' })
    await tracker.trackStructEvent({ category: 'c', action: 'bad' })
    await tracker.flush()
    assert.deepEqual(
      successes.map((batch) => batch.map((e) => e.se_ac)),
      [['good']],
    )
    assert.equal(failures.length, 1)
    assert.equal(failures[0]![0], 0)
    assert.deepEqual(
      failures[0]![1].map((e) => e.se_ac),
      ['bad'],
    )
    assert.equal(emitter.stats().dropped.rejected, 1)
    assert.equal(collector.requests.length, 2, '422 is not retried')
    await emitter.close()
  })

  test('custom retry codes are honoured: 422 retried, 500 not', async () => {
    let calls = 0
    collector.handle(() => (++calls === 1 ? { status: 422 } : { status: 200 }))
    const clock = createFakeClock({ autoAdvanceSleeps: true })
    const retrying = new Emitter({
      endpoint: collector.origin,
      batchSize: 1,
      customRetryCodes: { 422: true },
      random: () => 0,
    })
    await new Tracker({ namespace: 'ns', emitters: retrying }).trackStructEvent({
      category: 'c',
      action: 'a',
    })
    await retrying.flush()
    assert.equal(calls, 2, '422 retried under customRetryCodes')
    assert.equal(retrying.stats().sent, 1)
    await retrying.close()

    collector.reset()
    collector.handle(() => ({ status: 500 }))
    const dropped: string[] = []
    const strict = new Emitter({
      endpoint: collector.origin,
      batchSize: 1,
      customRetryCodes: { 500: false },
      clock,
      onFailure: (_n, unsent) => dropped.push(...unsent.map((e) => e.se_ac!)),
    })
    await new Tracker({ namespace: 'ns', emitters: strict }).trackStructEvent({
      category: 'c',
      action: 'no-retry',
    })
    await strict.flush()
    assert.equal(collector.requests.length, 1)
    assert.deepEqual(dropped, ['no-retry'])
    await strict.close()
  })

  test('a 404 is retried (Snowplow retries everything but 400, 401, 403, 410, 422)', async () => {
    let calls = 0
    collector.handle(() => (++calls <= 2 ? { status: 404 } : { status: 200 }))
    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 1, random: () => 0 })
    await new Tracker({ namespace: 'ns', emitters: emitter }).trackStructEvent({ category: 'c', action: 'a' })
    await emitter.flush()
    assert.equal(calls, 3)
    const stms = collector.requests.map((r) => eventsOf(r)[0]!.stm)
    const eids = new Set(collector.requests.map((r) => eventsOf(r)[0]!.eid))
    assert.equal(eids.size, 1, 'eid kept across retries')
    assert.equal(stms.length, 3)
    await emitter.close()
  })

  test('buffer full: new events are refused (the call rejects), dropped and reported', async () => {
    collector.handle(() => ({ action: 'hang' }))
    const failures: SnowplowPayload[] = []
    const emitter = new Emitter({
      endpoint: collector.origin,
      batchSize: 10,
      bufferCapacity: 3,
      flushIntervalMs: 0,
      onFailure: (_n, unsent) => failures.push(...unsent),
    })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter })
    const codes: string[] = []
    for (let i = 0; i < 5; i++) {
      await tracker.trackStructEvent({ category: 'c', action: `a${i}` }).then(
        () => codes.push('ok'),
        (error: { code: string }) => codes.push(error.code),
      )
    }
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'EVENTWIRE_QUEUE_FULL', 'EVENTWIRE_QUEUE_FULL'])
    assert.equal(emitter.stats().dropped.queue_full, 2)
    assert.deepEqual(
      failures.map((e) => e.se_ac),
      ['a3', 'a4'],
    )
    const result = await emitter.close({ timeoutMs: 50 })
    assert.equal(result.pending + result.failed + result.sent, 3)
  })

  test('flush timer fires every interval and stops when cancelled', async () => {
    const clock = createFakeClock()
    const emitter = new Emitter({ endpoint: collector.origin, batchSize: 100, flushIntervalMs: 0, clock })
    const tracker = new Tracker({ namespace: 'ns', emitters: emitter, clock })
    emitter.setFlushTimer(5)
    await tracker.trackStructEvent({ category: 'c', action: 'first' })
    await clock.advance(4_000)
    assert.equal(collector.requests.length, 0)
    await clock.advance(1_000)
    // Until the response is read: a fake-clock jump with a request in flight would time it out.
    await waitFor(() => emitter.stats().sent >= 1, 'the first timed flush')
    await tracker.trackStructEvent({ category: 'c', action: 'second' })
    await clock.advance(5_000)
    await waitFor(() => emitter.stats().sent >= 2, 'the second timed flush')
    emitter.cancelFlushTimer()
    await tracker.trackStructEvent({ category: 'c', action: 'third' })
    await clock.advance(20_000)
    // A request is counted as it starts: once the engine has run, none started after the cancel.
    await tick(10)
    assert.equal(emitter.stats().requests, 2, 'no request started after cancelFlushTimer')
    assert.equal(collector.requests.length, 2, 'no flush after cancelFlushTimer')
    await emitter.flush()
    assert.deepEqual(
      all().map((e) => e.se_ac),
      ['first', 'second', 'third'],
    )
    await emitter.close()
  })

  test('two emitters receive the same events; addEmitter adds a third', async () => {
    const e1 = new Emitter({ endpoint: collector.origin, batchSize: 1 })
    const e2 = new Emitter({ endpoint: collector.origin, method: 'get' })
    const tracker = new Tracker({ namespace: 'ns', emitters: [e1, e2] })
    const custom: SnowplowPayload[] = []
    tracker.addEmitter({ input: (p) => custom.push(p) })
    const eid = await tracker.trackSelfDescribingEvent({ event: VIEWED })
    await tracker.flush()
    assert.equal(collector.requests.filter((r) => r.method === 'POST').length, 1)
    assert.equal(collector.requests.filter((r) => r.method === 'GET').length, 1)
    assert.deepEqual(
      all().map((e) => e.eid),
      [eid, eid],
    )
    assert.equal(custom[0]?.eid, eid)
    await e1.close()
    await e2.close()
  })

  test('a Mixpanel client fans out to Mixpanel and Snowplow at once', async () => {
    const mixpanel = await startTestReceiver()
    const emitter = new Emitter({
      endpoint: collector.origin,
      batchSize: 10,
      appId: 'backend',
      eventSchema: (name) => (name === 'Signed up' ? 'iglu:com.acme/signed_up/jsonschema/1-0-0' : undefined),
    })
    const mp = new Mixpanel('tok', { consumer: new BatchConsumer({ apiHost: mixpanel.origin }) })
    const both = new Mixpanel('tok', { consumer: emitter })
    await both.track('user-7', 'Signed up', { plan: 'pro', $insert_id: 'not-a-uuid-1' })
    await both.people.set('user-7', { plan: 'pro' })
    await assert.rejects(both.track('user-7', 'Unmapped'), { code: 'EVENTWIRE_SNOWPLOW_NO_SCHEMA' })
    await both.flush()
    const [event] = all()
    assertValidPayloads([event!])
    assert.equal(event!.uid, 'user-7')
    assert.equal(event!.aid, 'backend')
    assert.deepEqual(unstruct(event!).data, {
      schema: 'iglu:com.acme/signed_up/jsonschema/1-0-0',
      data: { plan: 'pro' },
    })
    assert.match(event!.eid!, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(emitter.stats().ignored, 1, 'profile updates have no Snowplow form')
    await both.close()
    await mp.close()
    await mixpanel.close()
  })
})
