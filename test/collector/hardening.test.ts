import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { postJson, type RawResponse, send, start, trackEvent } from './helpers.js'

async function expectGoodRequestWorks(url: string, n: number): Promise<void> {
  const res = await postJson(`${url}/track?verbose=1`, [trackEvent('after', `u-${n}`)])
  assert.equal(res.status, 200)
  assert.deepEqual(JSON.parse(res.body), { status: 1, error: null })
}

function reasonOf(res: RawResponse): string {
  return (JSON.parse(res.body) as { error: string }).error
}

test('hostile requests get their 4xx and the next good request still succeeds', async () => {
  const collector = await start({ maxBodyBytes: 64 * 1024, maxDecompressedBytes: 256 * 1024 })
  const url = collector.url

  // oversize, declared in Content-Length
  const big = JSON.stringify([trackEvent('big', 'u', { blob: 'x'.repeat(100 * 1024) })])
  const declared = await postJson(`${url}/track`, big)
  assert.equal(declared.status, 413)
  assert.match(reasonOf(declared), /exceeds max limit of 65536 bytes/)
  await expectGoodRequestWorks(url, 1)

  // oversize, streamed without Content-Length
  const streamed = await new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      `${url}/track`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => {
          body += c.toString()
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    for (let i = 0; i < 10; i++) req.write('x'.repeat(16 * 1024))
    req.end()
  })
  assert.equal(streamed.status, 413)
  await expectGoodRequestWorks(url, 2)

  // gzip bomb: 50 KB on the wire, 20 MB once decoded
  const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20))
  assert.ok(bomb.length < 64 * 1024)
  const bombed = await send(`${url}/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: bomb,
  })
  assert.equal(bombed.status, 413)
  assert.match(reasonOf(bombed), /decompressed body exceeds the limit of 262144 bytes/)
  await expectGoodRequestWorks(url, 3)

  // not gzip at all despite the header
  const fakeGzip = await send(`${url}/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: '[]',
  })
  assert.equal(fakeGzip.status, 400)
  assert.match(reasonOf(fakeGzip), /not valid gzip/)

  // an encoding the collector does not speak
  const brotli = await send(`${url}/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
    body: 'xx',
  })
  assert.equal(brotli.status, 415)
  await expectGoodRequestWorks(url, 4)

  // malformed JSON
  const malformed = await postJson(`${url}/track?verbose=1`, '[{"event": "x", "properties": {]')
  assert.equal(malformed.status, 400)
  assert.equal(JSON.parse(malformed.body).status, 0)
  assert.match(reasonOf(malformed), /^malformed JSON/)
  const malformedImport = await postJson(`${url}/import`, '{"event":')
  assert.equal(malformedImport.status, 400)
  assert.equal(JSON.parse(malformedImport.body).code, 400)
  assert.equal(JSON.parse(malformedImport.body).status, 'Bad Request')
  await expectGoodRequestWorks(url, 5)

  // wrong content type
  const xml = await send(`${url}/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: '<event/>',
  })
  assert.equal(xml.status, 415)
  assert.match(reasonOf(xml), /unsupported Content-Type "application\/xml"/)
  await expectGoodRequestWorks(url, 6)

  // bad base64, in a form body and in the query string
  const form = await send(`${url}/track`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'data=%25%25not*base64!!',
  })
  assert.equal(form.status, 400)
  assert.match(reasonOf(form), /neither JSON nor valid base64/)
  const query = await send(`${url}/engage?data=@@@`)
  assert.equal(query.status, 400)
  const notJson = await send(`${url}/track?data=${Buffer.from('hello world').toString('base64')}`)
  assert.equal(notJson.status, 400)
  assert.match(reasonOf(notJson), /does not decode to JSON/)
  await expectGoodRequestWorks(url, 7)

  // other malformed shapes
  assert.equal((await postJson(`${url}/track`, '42')).status, 400)
  assert.equal((await postJson(`${url}/track`, '')).status, 400)
  assert.equal((await send(`${url}/track`, { method: 'PUT', body: '[]' })).status, 405)
  assert.equal(
    (await postJson(`${url}/track`, JSON.stringify(Array.from({ length: 2001 }, () => ({}))))).status,
    400,
  )
  await expectGoodRequestWorks(url, 8)

  const stats = collector.stats()
  assert.equal(stats.events, 8, 'only the good requests stored events')
  assert.equal(stats.requests, 23)
})

test('every encoding the SDKs use decodes to the same records', async () => {
  const collector = await start()
  const url = collector.url
  const time = Date.now()
  const one = (n: number) => trackEvent(`enc${n}`, 'u-enc', { time, emoji: 'héllo ✓', plus: 'a+b/c=' })
  const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64')

  const answers = [
    await postJson(`${url}/track`, one(1)),
    await send(`${url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify(one(2))}\n${JSON.stringify(one(3))}\n`,
    }),
    await send(`${url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `data=${encodeURIComponent(JSON.stringify([one(4)]))}&verbose=1&ip=0`,
    }),
    // the mixpanel npm package posts base64 without percent-encoding it ("+" would read as a space)
    await send(`${url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `data=${base64([one(5)])}`,
    }),
    await send(`${url}/track?ip=0&verbose=0&data=${encodeURIComponent(base64(one(6)))}`),
    await send(`${url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify([one(7)])),
    }),
    await send(`${url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from(JSON.stringify([one(8)]))
        .toString('base64url')
        .replace(/^/, 'data='),
    }),
  ]
  assert.deepEqual(
    answers.map((a) => [a.status, a.body]),
    [
      [200, '1'],
      [200, '1'],
      [200, '{"status":1,"error":null}'],
      [200, '1'],
      [200, '1'],
      [200, '1'],
      [200, '1'],
    ],
  )
  const stored = collector.events({ order: 'asc' })
  assert.deepEqual(
    stored.map((e) => e.payload),
    [1, 2, 3, 4, 5, 6, 7, 8].map(one),
  )
  assert.ok(stored.every((e) => e.valid))
})

test('verbose and non-verbose answers follow Mixpanel', async () => {
  const collector = await start({ token: 'tok' })
  const url = collector.url
  const bad = { event: 'x', properties: { distinct_id: 'u' } }
  assert.equal((await postJson(`${url}/track`, [bad])).body, '0')
  assert.deepEqual(JSON.parse((await postJson(`${url}/track?verbose=1`, [bad])).body), {
    status: 0,
    error: 'properties.token: the project token is missing: Mixpanel ignores data without one',
  })
  assert.equal((await postJson(`${url}/track`, [bad, trackEvent('ok', 'u')])).body, '1')
  const wrongToken = await postJson(`${url}/track?verbose=1`, [trackEvent('x', 'u', { token: 'other' })])
  assert.match(JSON.parse(wrongToken.body).error, /not the one this collector was started with/)
  assert.deepEqual(
    collector.events({ valid: false }).map((e) => e.issues[0]!.code),
    ['wrong_token', 'missing_token', 'missing_token', 'missing_token'],
  )
})
