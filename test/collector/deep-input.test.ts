import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { MAX_JSON_DEPTH } from '../../src/collector/index.js'
import { postJson, send, start, trackEvent } from './helpers.js'

const DEPTH = 5000
const deepValue = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`
const deepList = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`

function deepEvent(name: string): string {
  return `{"event":"${name}","properties":{"token":"tok","distinct_id":"u-deep","x":${deepValue}}}`
}
function deepUpdate(path: '/engage' | '/groups'): string {
  return path === '/engage'
    ? `{"$token":"tok","$distinct_id":"u-deep","$set":{"x":${deepValue}}}`
    : `{"$token":"tok","$group_key":"company","$group_id":"c-1","$set":{"x":${deepValue}}}`
}
function goodRecord(path: string, n: number): unknown {
  if (path === '/engage') return { $token: 'tok', $distinct_id: `u-${n}`, $set: { ok: n } }
  if (path === '/groups')
    return { $token: 'tok', $group_key: 'company', $group_id: `c-${n}`, $set: { ok: n } }
  return trackEvent(`good-${n}`, `u-${n}`, { $insert_id: `good-${n}-${path.slice(1)}` })
}

test(`records nested ${DEPTH} deep get a 400 with a message on every endpoint and encoding; the other records are stored`, async () => {
  const collector = await start()
  const url = collector.url
  let n = 0
  let requests = 0
  for (const path of ['/track', '/import', '/engage', '/groups'] as const) {
    const deep = path === '/engage' || path === '/groups' ? deepUpdate(path) : deepEvent(`deep${path}`)
    const variants: Array<[string, () => Promise<{ status: number; body: string }>]> = [
      ['JSON array', () => postJson(`${url}${path}`, `[${JSON.stringify(goodRecord(path, ++n))},${deep}]`)],
      [
        'NDJSON',
        () =>
          send(`${url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body: `${JSON.stringify(goodRecord(path, ++n))}\n${deep}\n`,
          }),
      ],
      [
        'form data=',
        () =>
          send(`${url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `data=${encodeURIComponent(`[${JSON.stringify(goodRecord(path, ++n))},${deep}]`)}`,
          }),
      ],
      [
        'gzip JSON',
        () =>
          send(`${url}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
            body: gzipSync(`[${JSON.stringify(goodRecord(path, ++n))},${deep}]`),
          }),
      ],
    ]
    for (const [label, call] of variants) {
      const before = collector.stats()
      const res = await call()
      requests++
      assert.equal(res.status, 400, `${path} ${label}: ${res.body}`)
      const error = (JSON.parse(res.body) as { error: string }).error
      assert.match(
        error,
        new RegExp(`1 of 2 records cannot be read .*deeper than the collector's limit of ${MAX_JSON_DEPTH}`),
      )
      const after = collector.stats()
      assert.equal(after.requests, before.requests + 1, `${path} ${label}: the request is counted`)
      assert.equal(
        after.events + after.updates,
        before.events + before.updates + 2,
        `${path} ${label}: both stored`,
      )
      const [deepItem, goodItem] = collector.events({ limit: 2 })
      assert.equal(deepItem!.accepted, false)
      assert.equal(deepItem!.issues[0]!.code, 'too_deep_json')
      assert.match(JSON.stringify(deepItem!.payload), /nested deeper than 100 levels: not kept/)
      assert.equal(goodItem!.valid, true, `${path} ${label}: ${JSON.stringify(goodItem!.issues)}`)
    }
  }
  // a body of nothing but nesting (in a GET query string, which holds 1,500 levels) and a tp2 payload
  const bare = await send(
    `${url}/track?data=${encodeURIComponent(deepList.slice(DEPTH - 1500, DEPTH + 1500))}`,
  )
  assert.equal(bare.status, 400)
  assert.match(JSON.parse(bare.body).error, /cannot be read/)
  requests++
  const tp2Text = `{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{"e":"pv","p":"srv","tv":"node-1"},{"e":"pv","p":"srv","tv":"node-1","x":${deepValue}}]}`
  const tp2Res = await postJson(`${url}/com.snowplowanalytics.snowplow/tp2`, tp2Text)
  requests++
  assert.equal(tp2Res.status, 400)
  assert.match(JSON.parse(tp2Res.body).error, /1 of 2 payloads are nested deeper/)
  const snowplow = collector.events({ source: 'snowplow', order: 'asc' })
  assert.deepEqual(
    snowplow.map((e) => [e.valid, e.issues.map((i) => i.code)]),
    [
      [true, []],
      [false, ['too_deep_json', 'schema_violation']],
    ],
  )
  // deep flag contexts and a deep ue_px
  const context = encodeURIComponent(
    `{"distinct_id":"u","custom_properties":${'['.repeat(1200)}${']'.repeat(1200)}}`,
  )
  assert.equal((await send(`${url}/flags?context=${context}`)).status, 400)
  // (a query string holds about 1,500 levels of base64)
  const ue = `{"schema":"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0","data":${'{"a":'.repeat(1500)}1${'}'.repeat(1500)}}`
  const pixel = await send(`${url}/i?e=ue&p=srv&tv=node-1&ue_px=${Buffer.from(ue).toString('base64url')}`)
  assert.equal(pixel.status, 400)
  requests++
  assert.equal(collector.events({ limit: 1 })[0]!.issues[0]!.code, 'too_deep_json')

  // the collector keeps serving, and counted every request
  const ok = await postJson(`${url}/track?verbose=1`, [trackEvent('after', 'u-after')])
  assert.deepEqual(JSON.parse(ok.body), { status: 1, error: null })
  assert.equal(collector.stats().requests, requests + 1)
})

test('a line that is not JSON is refused alone; the others of the request count', async () => {
  const collector = await start()
  const res = await send(`${collector.url}/import?strict=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: `${JSON.stringify(trackEvent('first', 'u-1', { time: Date.now() }))}\n{"event": oops\n${JSON.stringify(trackEvent('third', 'u-3', { time: Date.now() }))}\n`,
  })
  assert.equal(res.status, 400)
  const body = JSON.parse(res.body)
  assert.equal(body.num_records_imported, 2)
  assert.match(body.error, /record 2: line 2 is not JSON/)
  assert.deepEqual(
    body.failed_records.map((r: { index: number }) => r.index),
    [1],
  )
  const stored = collector.events({ order: 'asc' })
  assert.deepEqual(
    stored.map((e) => [e.name, e.accepted]),
    [
      ['first', true],
      [null, false],
      ['third', true],
    ],
  )
  assert.equal(stored[1]!.payload, '{"event": oops')
  assert.equal(stored[1]!.issues[0]!.code, 'malformed_json')
})
