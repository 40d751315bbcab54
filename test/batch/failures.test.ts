import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, test } from 'node:test'
import { cleanup, harness, sorted, startReceiver, trackMany } from './helpers.js'

/** Fast retries so failure tests finish quickly; a large retry budget so nothing is given up. */
const FAST = { retryBackoffFactor: 0.01, maxRetryDelayMs: 200, retryLimit: 100 } as const

describe('BatchConsumer under failures (real loopback receivers)', () => {
  afterEach(cleanup)
  test('20% of requests answered 500: every message delivered, unique $insert_ids received == sent', async () => {
    const receiver = await startReceiver((_req, index) => (index % 5 === 2 ? { status: 500 } : undefined))
    // maxBatchSize keeps every request at 25 messages, also while a backlog waits: many requests.
    const h = harness({ apiHost: receiver.origin, batchSize: 25, maxBatchSize: 25, ...FAST })
    const ids = trackMany(h.mp, 1000)
    await h.consumer.flush()
    const failed = receiver.requests.filter((_r, i) => i % 5 === 2).length
    assert.ok(failed >= 8, `expected several 500s, got ${failed}`)
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.equal(receiver.delivered('/track').length, 1000, 'a 500 stores nothing, so no duplicates')
    const stats = h.consumer.stats()
    assert.equal(stats.sent, 1000)
    assert.ok(stats.retried >= 25 * 8, `retried ${stats.retried}`)
    assert.equal(stats.queued + stats.inFlight, 0)
    assert.deepEqual(h.drops, [])
    assert.deepEqual(sorted(h.delivered), sorted(ids))
    assert.deepEqual(await h.consumer.close(), { sent: 1000, failed: 0, dropped: 0, pending: 0 })
    await receiver.close()
  })

  test('503 for the first 3 s: every message delivered after the receiver recovers', async () => {
    const started = Date.now()
    let firstSuccessAt = 0
    const receiver = await startReceiver(() => {
      if (Date.now() - started < 3000) return { status: 503, body: { error: 'unavailable' } }
      firstSuccessAt ||= Date.now()
      return undefined
    })
    const h = harness({
      apiHost: receiver.origin,
      batchSize: 50,
      retryBackoffFactor: 0.1,
      maxRetryDelayMs: 800,
      retryLimit: 100,
    })
    const statuses: Array<number | undefined> = []
    h.consumer.on('retry', (e) => statuses.push(e.status))
    const ids = trackMany(h.mp, 300)
    await h.consumer.flush()
    assert.ok(statuses.length >= 3 && statuses.every((s) => s === 503), `retries: ${statuses.join(',')}`)
    assert.ok(firstSuccessAt - started >= 3000)
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.equal(h.consumer.stats().sent, 300)
    assert.deepEqual(h.drops, [])
    await h.consumer.close()
    await receiver.close()
  })

  test('429 with Retry-After: 2 pauses the whole destination for 2 s, then delivers', async () => {
    const receiver = await startReceiver((_req, index) =>
      index < 4
        ? { status: 429, headers: { 'retry-after': '2' }, body: { error: 'rate limited' } }
        : undefined,
    )
    const h = harness({ apiHost: receiver.origin, batchSize: 50, maxConcurrentRequests: 4, ...FAST })
    const requestTimes: number[] = []
    const pauses: Array<{ at: number; delayMs: number }> = []
    h.consumer.on('request', () => requestTimes.push(Date.now()))
    h.consumer.on('retry', (e) => {
      if (e.status === 429) pauses.push({ at: Date.now(), delayMs: e.delayMs })
    })
    const ids = trackMany(h.mp, 400)
    await h.consumer.flush()
    assert.ok(pauses.length >= 1)
    assert.ok(pauses.every((p) => p.delayMs === 2000))
    const pausedAt = pauses[0]!.at
    const during = requestTimes.filter((t) => t > pausedAt && t < pausedAt + 1990)
    assert.deepEqual(during, [], 'no request may start within 2 s of the 429')
    assert.ok(
      requestTimes.some((t) => t >= pausedAt + 1990),
      'delivery resumes after the pause',
    )
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.equal(h.consumer.stats().sent, 400)
    await h.consumer.close()
    await receiver.close()
  })

  test('sockets reset and a response slower than the request timeout: retried, every id delivered', async () => {
    const receiver = await startReceiver((_req, index) => {
      if (index === 0 || index === 3) return { action: 'reset' }
      if (index === 1) return { status: 200, delayMs: 1200 }
      return undefined
    })
    const h = harness({ apiHost: receiver.origin, batchSize: 20, requestTimeoutMs: 400, ...FAST })
    const errors: string[] = []
    h.consumer.on('retry', (e) => errors.push((e.error as { code?: string }).code ?? ''))
    const ids = trackMany(h.mp, 200)
    await h.consumer.flush()
    assert.ok(errors.includes('EVENTWIRE_NETWORK_ERROR'), errors.join(','))
    assert.ok(errors.includes('EVENTWIRE_TIMEOUT'), errors.join(','))
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.equal(h.consumer.stats().sent, 200, 'each message counted delivered once')
    assert.deepEqual(sorted(h.delivered), sorted(ids))
    assert.deepEqual(h.drops, [])
    await h.consumer.close()
    await receiver.close()
  })

  test('a socket reset in the middle of the response body: retried, every id delivered', async () => {
    const seen = new Set<string>()
    let count = 0
    let resets = 0
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const index = count++
        const records = JSON.parse(Buffer.concat(chunks).toString()) as Array<{
          properties: { $insert_id: string }
        }>
        if (index % 3 === 0) {
          resets++
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
          res.write('{"status":')
          setTimeout(() => res.socket?.destroy(), 5)
          return
        }
        for (const r of records) seen.add(r.properties.$insert_id)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":1,"error":null}')
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    const h = harness({ apiHost: `http://127.0.0.1:${port}`, batchSize: 20, ...FAST })
    const ids = trackMany(h.mp, 200)
    await h.consumer.flush()
    // Catch-up batching may send fewer, larger batches than 200 / 20; every third request is cut
    // off whatever its size, so the requests that were reset are retried and nothing is lost.
    assert.ok(resets >= 1 && count > resets, `requests: ${count}, resets: ${resets}`)
    assert.ok(h.consumer.stats().retried >= resets, `retried: ${h.consumer.stats().retried}`)
    assert.deepEqual(sorted(seen), sorted(ids))
    assert.deepEqual(sorted(h.delivered), sorted(ids))
    await h.consumer.close()
    server.closeAllConnections()
    server.close()
  })
})
