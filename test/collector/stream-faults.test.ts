import assert from 'node:assert/strict'
import { type ClientRequest, request } from 'node:http'
import { test } from 'node:test'
import { Consumer, Mixpanel } from '../../src/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { postJson, send, start, trackEvent, waitFor } from './helpers.js'

interface SseEvent {
  event: string
  data: string
}

/** Opens /_/stream and collects its events (and heartbeat comments) as they arrive. */
function openStream(url: string): Promise<{ events: SseEvent[]; comments: string[]; req: ClientRequest }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = []
    const comments: string[] = []
    const req = request(`${url}/_/stream`, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8')
      let buffer = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
          )
          if (block.startsWith(':')) comments.push(block)
          else if (fields.event) events.push({ event: fields.event, data: fields.data ?? '' })
          end = buffer.indexOf('\n\n')
        }
      })
      res.on('error', () => {})
      resolve({ events, comments, req })
    })
    req.on('error', reject)
    req.end()
  })
}

test('the stream delivers every stored item, profile change, stats, reset and heartbeats', async () => {
  const collector = await start({ heartbeatMs: 30 })
  const stream = await openStream(collector.url)
  await waitFor(() => stream.events.length > 0, 2000, 'hello')
  assert.equal(stream.events[0]!.event, 'hello')
  assert.equal(collector.streamClients(), 1)

  await postJson(`${collector.url}/track`, [
    trackEvent('live', 'u-1', { n: 1 }),
    { event: 'live', properties: {} },
  ])
  await postJson(`${collector.url}/engage`, [{ $token: 'tok', $distinct_id: 'u-1', $set: { a: 1 } }])
  await waitFor(() => stream.events.filter((e) => e.event === 'item').length === 3, 2000, 'items')
  const items = stream.events.filter((e) => e.event === 'item').map((e) => JSON.parse(e.data))
  assert.deepEqual(
    items.map((i) => [i.name, i.valid, i.kind]),
    [
      ['live', true, 'event'],
      ['live', false, 'event'],
      ['$set', true, 'user'],
    ],
  )
  assert.deepEqual(
    items[0].payload,
    trackEvent('live', 'u-1', { n: 1, time: items[0].payload.properties.time }),
  )
  await waitFor(() => stream.events.some((e) => e.event === 'profile'), 2000, 'profile')
  assert.deepEqual(JSON.parse(stream.events.find((e) => e.event === 'profile')!.data), {
    kind: 'user',
    groupKey: null,
    id: 'u-1',
    deleted: false,
  })
  await waitFor(
    () => stream.events.some((e) => e.event === 'stats' && JSON.parse(e.data).events === 2),
    2000,
    'stats',
  )
  await waitFor(() => stream.comments.length >= 2, 2000, 'heartbeats')

  await postJson(`${collector.url}/_/reset`, {})
  await waitFor(() => stream.events.some((e) => e.event === 'reset'), 2000, 'reset')

  stream.req.destroy()
  await waitFor(() => collector.streamClients() === 0, 2000, 'the client to be removed')
  const after = await postJson(`${collector.url}/track`, [trackEvent('after', 'u-1')])
  assert.equal(after.body, '1')
})

test('faults: failRate with injected randomness, status, Retry-After and resets', async () => {
  const draws = [0.1, 0.9, 0.6, 0.2]
  const collector = await start({ random: () => draws.shift() ?? 0.99 })
  collector.setFaults({ failRate: 0.5, status: 429, retryAfterSec: 7 })
  const first = await postJson(`${collector.url}/track`, [trackEvent('f', 'u-1')])
  assert.equal(first.status, 429)
  assert.equal(first.headers['retry-after'], '7')
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('f', 'u-2')])).status, 200)
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('f', 'u-3')])).status, 200)
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('f', 'u-4')])).status, 429)
  // the collector's own API and flags are never faulted
  assert.equal((await send(`${collector.url}/_/stats`)).status, 200)
  assert.deepEqual(
    collector.events({ order: 'asc' }).map((e) => e.distinctId),
    ['u-2', 'u-3'],
  )

  const set = await postJson(`${collector.url}/_/faults`, { resetRate: 1 })
  assert.equal(set.status, 200)
  assert.equal(JSON.parse(set.body).resetRate, 1)
  await assert.rejects(
    postJson(`${collector.url}/track`, [trackEvent('f', 'u-5')]),
    /socket hang up|ECONNRESET/,
  )
  const invalid = await postJson(`${collector.url}/_/faults`, { failRate: 2 })
  assert.equal(invalid.status, 400)
  assert.match(JSON.parse(invalid.body).error, /faults.failRate/)
  assert.equal((await postJson(`${collector.url}/_/faults`, { nope: 1 })).status, 400)
  assert.equal((await postJson(`${collector.url}/_/faults`, {})).status, 200)
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('f', 'u-6')])).status, 200)
  assert.equal(collector.stats().requests, 6)
})

test('faults: downForMs and latencyMs follow the injected clock', async () => {
  const clock = createFakeClock({ now: Date.now() })
  const collector = await start({ clock, faults: { downForMs: 1000 } })
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('d', 'u-1')])).status, 503)
  await clock.advance(999)
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('d', 'u-1')])).status, 503)
  await clock.advance(1)
  assert.equal((await postJson(`${collector.url}/track`, [trackEvent('d', 'u-1')])).status, 200)

  collector.setFaults({ latencyMs: 5000 })
  let answered = false
  const pending = postJson(`${collector.url}/track`, [trackEvent('slow', 'u-1')]).then((res) => {
    answered = true
    return res
  })
  await waitFor(() => clock.pendingTimers() > 0, 2000, 'the latency timer')
  assert.equal(answered, false)
  await clock.advance(5000)
  assert.equal((await pending).status, 200)
  assert.equal(collector.events({ name: 'slow' }).length, 1)
})

test("eventwire's Consumer retries through injected failures and every event lands once", async () => {
  let n = 0
  const collector = await start({ random: () => (n++ % 3 === 0 ? 0 : 0.99) })
  collector.setFaults({ failRate: 0.5, status: 503 })
  const mp = new Mixpanel('tok', {
    consumer: new Consumer({
      apiHost: collector.url,
      retryLimit: 5,
      retryBackoffFactor: 0.001,
      maxRetryDelayMs: 5,
    }),
  })
  for (let i = 0; i < 20; i++) await mp.track(`u-${i}`, 'Retried', { i })
  await mp.close()
  const stats = collector.stats()
  assert.equal(stats.events, 20)
  assert.equal(stats.uniqueInsertIds, 20)
  assert.ok(stats.requests > 20, `some requests were refused (${stats.requests})`)
})
