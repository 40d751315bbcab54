import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildPageView, buildSelfDescribingEvent, buildStructEvent, newTracker } from '@snowplow/node-tracker'
import { postJson, send, start } from './helpers.js'

const PRODUCT_SCHEMA = 'iglu:com.acme/viewed_product/jsonschema/1-0-0'
const USER_CONTEXT = 'iglu:com.acme/user/jsonschema/1-0-0'

test('the official @snowplow/node-tracker lands valid Snowplow items over POST and GET', async () => {
  const collector = await start()
  const { port } = new URL(collector.url)
  for (const eventMethod of ['post', 'get'] as const) {
    const tracker = newTracker(
      { namespace: `ns-${eventMethod}`, appId: 'shop' },
      { endpoint: '127.0.0.1', port: Number(port), protocol: 'http', eventMethod, bufferSize: 1 },
    )
    tracker.setUserId('user-42')
    tracker.track(buildPageView({ pageUrl: 'https://shop.example/p/1', pageTitle: 'Product 1' }))
    tracker.track(
      buildSelfDescribingEvent({ event: { schema: PRODUCT_SCHEMA, data: { sku: 'sku-1', price: 9.99 } } }),
      [{ schema: USER_CONTEXT, data: { tier: 'gold' } }],
    )
    tracker.track(
      buildStructEvent({ category: 'checkout', action: 'add-to-basket', label: 'sku-1', value: 2 }),
    )
    await tracker.flush()
  }

  const items = collector.events({ source: 'snowplow', order: 'asc' })
  assert.equal(items.length, 6)
  for (const item of items) assert.equal(item.valid, true, JSON.stringify(item.issues))
  assert.deepEqual(
    items.map((i) => [i.endpoint, i.name, i.distinctId]),
    [
      ['/com.snowplowanalytics.snowplow/tp2', 'page_view', 'user-42'],
      ['/com.snowplowanalytics.snowplow/tp2', 'viewed_product', 'user-42'],
      ['/com.snowplowanalytics.snowplow/tp2', 'add-to-basket', 'user-42'],
      ['/i', 'page_view', 'user-42'],
      ['/i', 'viewed_product', 'user-42'],
      ['/i', 'add-to-basket', 'user-42'],
    ],
  )
  for (const item of items) {
    assert.match(item.insertId ?? '', /^[0-9a-f-]{36}$/)
    assert.equal((item.payload as Record<string, string>).aid, 'shop')
  }
  const selfDescribing = items[1]!
  assert.deepEqual((selfDescribing.decoded!.unstruct as { data: unknown }).data, {
    schema: PRODUCT_SCHEMA,
    data: { sku: 'sku-1', price: 9.99 },
  })
  const contexts = (selfDescribing.decoded!.contexts as { data: Array<{ schema: string }> }).data
  assert.ok(contexts.some((c) => c.schema === USER_CONTEXT))
  assert.equal(collector.stats().uniqueInsertIds, 6)
})

test('Snowplow payloads that break payload_data or the encodings are stored as bad', async () => {
  const collector = await start()
  const envelope = (data: unknown[]) => ({
    schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
    data,
  })
  const res = await postJson(
    `${collector.url}/com.snowplowanalytics.snowplow/tp2`,
    envelope([
      { e: 'pv', p: 'srv', tv: 'test-1', url: 'https://x' },
      { e: 'pv', p: 'srv', tv: 'test-1', bogus: 'x' },
      { e: 'pv', p: 'srv', dtm: 1234 },
      { e: 'ue', p: 'srv', tv: 'test-1', ue_px: '!!!' },
      { e: 'se', p: 'srv', tv: 'test-1', se_ca: 'only-category' },
    ]),
  )
  assert.equal(res.status, 200)
  const items = collector.events({ order: 'asc' })
  assert.deepEqual(
    items.map((i) => [i.valid, i.issues.map((x) => `${x.code}@${x.path}`)]),
    [
      [true, []],
      [false, ['schema_violation@bogus']],
      [false, ['schema_violation@tv', 'schema_violation@dtm']],
      [false, ['invalid_ue_px@ue_px', 'missing_unstruct_event@ue_px']],
      [false, ['missing_structured_fields@se_ca']],
    ],
  )

  const pixel = await send(`${collector.url}/i?e=pv&p=web&tv=js-3&url=https%3A%2F%2Fa.example`)
  assert.equal(pixel.status, 200)
  assert.equal(pixel.headers['content-type'], 'image/gif')
  assert.equal(collector.events({ limit: 1 })[0]!.valid, true)

  assert.equal((await postJson(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, '{nope')).status, 400)
  assert.equal(
    (await postJson(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, { data: [] })).status,
    400,
  )
  const wrongType = await send(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: '<x/>',
  })
  assert.equal(wrongType.status, 415)
  assert.equal((await send(`${collector.url}/i`)).status, 400)
  assert.equal(collector.stats().events, 6)
})
