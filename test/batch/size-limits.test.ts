import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { cleanup, harness, sorted, startReceiver, trackMany } from './helpers.js'

const FAST = { retryBackoffFactor: 0.01, maxRetryDelayMs: 100, retryLimit: 50 } as const

describe('BatchConsumer request size limits', () => {
  afterEach(cleanup)
  test('413 splits the batch in halves; a single oversized message is dropped as too_large, the rest delivered', async () => {
    // The receiver refuses any body over 3 kB, like a proxy with a small body limit.
    const receiver = await startReceiver((req) => (req.body.length > 3000 ? { status: 413 } : undefined))
    const h = harness({ apiHost: receiver.origin, batchSize: 40, ...FAST })
    const sizes: number[] = []
    h.consumer.on('request', (e) => sizes.push(e.messageCount))
    const ids = trackMany(h.mp, 60)
    const big = 'big-1'
    void h.mp.track('user-1', 'Big event', { $insert_id: big, blob: 'x'.repeat(4000) })
    await h.consumer.flush()
    assert.ok(
      receiver.requests.some((r) => r.body.length > 3000),
      'at least one request was answered 413',
    )
    assert.ok(sizes.includes(1), 'halving went down to one message')
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.deepEqual(h.dropped('too_large'), [big])
    const stats = h.consumer.stats()
    assert.equal(stats.dropped.too_large, 1)
    assert.equal(stats.sent, 60)
    assert.deepEqual(await h.consumer.close(), { sent: 60, failed: 0, dropped: 1, pending: 0 })
    await receiver.close()
  })

  test('a message larger than byteLimit is dropped up front: counted, reported, never sent', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, byteLimit: 2000, ...FAST })
    const drops: Array<{ reason: string; code: string | undefined }> = []
    h.consumer.on('drop', (e) => drops.push({ reason: e.reason, code: (e.error as { code?: string })?.code }))
    const ids = trackMany(h.mp, 10)
    await assert.rejects(
      h.mp.track('user-1', 'Big event', { $insert_id: 'big-2', blob: 'x'.repeat(3000) }),
      { code: 'EVENTWIRE_MESSAGE_TOO_LARGE' },
      'track() rejects: the message was not accepted (and the drop is reported)',
    )
    await h.consumer.flush()
    assert.deepEqual(drops, [{ reason: 'too_large', code: 'EVENTWIRE_MESSAGE_TOO_LARGE' }])
    assert.deepEqual(h.dropped('too_large'), ['big-2'])
    assert.ok(receiver.requests.every((r) => !r.body.includes('big-2')))
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    assert.ok(receiver.requests.every((r) => r.body.length <= 2000))
    assert.equal(h.consumer.stats().dropped.too_large, 1)
    await h.consumer.close()
    await receiver.close()
  })

  test('byteLimit splits batches by bytes', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, byteLimit: 4000, batchSize: 500, flushIntervalMs: 0 })
    const ids = trackMany(h.mp, 100, 'b', { pad: 'p'.repeat(200) })
    await h.consumer.flush()
    assert.ok(receiver.requests.length >= 8, `requests: ${receiver.requests.length}`)
    assert.ok(receiver.requests.every((r) => Buffer.byteLength(r.body) <= 4000))
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    await h.consumer.close()
    await receiver.close()
  })

  test('/import 400 with failed_records drops only those records (reported) and delivers the rest', async () => {
    const receiver = await startReceiver((req) => {
      if (req.path !== '/import') return undefined
      const failed = req.records
        .map((r, index) => ({ index, id: (r.properties as { $insert_id: string }).$insert_id }))
        .filter((r) => r.id.startsWith('bad'))
      if (failed.length === 0) return undefined
      return {
        status: 400,
        body: {
          code: 400,
          num_records_imported: req.records.length - failed.length,
          failed_records: failed.map((f) => ({
            index: f.index,
            $insert_id: f.id,
            field: 'properties.time',
            message: 'too old',
          })),
        },
      }
    })
    const h = harness({ apiHost: receiver.origin, batchSize: 10, ...FAST })
    const good: string[] = []
    for (let i = 0; i < 20; i++) {
      const id = i % 7 === 3 ? `bad-${i}` : `good-${i}`
      if (id.startsWith('good')) good.push(id)
      void h.mp.import(`user-${i}`, 'Old event', 1_700_000_000_000 + i, { $insert_id: id })
    }
    await h.consumer.flush()
    assert.deepEqual(sorted(h.dropped('rejected')), ['bad-10', 'bad-17', 'bad-3'])
    assert.deepEqual(sorted(h.delivered), sorted(good))
    const stats = h.consumer.stats()
    assert.equal(stats.dropped.rejected, 3)
    assert.equal(stats.sent, 17)
    assert.equal(stats.retried, 0, 'refused records are not retried')
    await h.consumer.close()
    await receiver.close()
  })

  test('a status made non-retryable by customRetryCodes drops the batch as rejected', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }))
    const h = harness({ apiHost: receiver.origin, customRetryCodes: { 503: false }, ...FAST })
    const ids = trackMany(h.mp, 5)
    await h.consumer.flush()
    assert.equal(receiver.requests.length, 1)
    assert.deepEqual(sorted(h.dropped('rejected')), sorted(ids))
    assert.equal(h.consumer.stats().dropped.rejected, 5)
    await h.consumer.close()
    await receiver.close()
  })
})
