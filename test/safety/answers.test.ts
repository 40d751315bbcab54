/**
 * Right answers at the edges: a call that was not accepted rejects and one that was accepted never
 * does; a garbled success answer is retried, not taken as a delivery or a refusal; every message
 * is accounted for exactly once.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer, Consumer, type ConsumerStats } from '../../src/consumers/index.js'
import type { JsonObject } from '../../src/message/index.js'
import { cleanup, harness, startReceiver, waitFor } from '../batch/helpers.js'

afterEach(cleanup)

/** `sent + failed + (other drops) + pending` equals what the consumer accepted. */
function assertAccounted(stats: ConsumerStats, pending: number): void {
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0)
  assert.equal(stats.sent + dropped + pending, stats.accepted, 'every accepted message is accounted for once')
}

const insertIdOf = (record: JsonObject) => (record.properties as JsonObject).$insert_id as string

describe("overflow: 'block' with a close() deadline", () => {
  test('no message that was stored and delivered has its track() rejected; those never stored reject', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 120 }))
    const h = harness({ apiHost: receiver.origin, bufferCapacity: 2, overflow: 'block', batchSize: 2 })
    const ids = Array.from({ length: 10 }, (_, i) => `b-${i}`)
    const outcomes = ids.map((id) =>
      h.mp.track('user', 'Blocked', { $insert_id: id }).then(
        () => 'resolved',
        (error: { code?: string }) => error.code ?? 'error',
      ),
    )
    await waitFor(() => receiver.requests.length >= 2, 'two batches to be sent')
    const result = await h.consumer.close({ timeoutMs: 300 })
    const settled = await Promise.all(outcomes)
    const delivered = new Set(receiver.delivered('/track').map(insertIdOf))
    assert.ok(delivered.size >= 2, 'room came back and waiting calls were stored and delivered')
    ids.forEach((id, i) => {
      if (delivered.has(id)) assert.equal(settled[i], 'resolved', `${id} was delivered: its call resolved`)
      else if (settled[i] !== 'resolved') assert.equal(settled[i], 'EVENTWIRE_CLOSED')
    })
    const rejected = settled.filter((s) => s !== 'resolved').length
    assert.equal(rejected, h.dropped('closed').length, 'each rejected call is a closed drop')
    assert.ok(rejected > 0, 'the deadline cut some waits')
    assertAccounted(h.consumer.stats(), result.pending)
  })
})

describe('a 200 answer with a body that is not Mixpanel JSON', () => {
  const html = { status: 200, body: '<html><body>Proxy login</body></html>' }

  test('BatchConsumer: retried, then delivered once', async () => {
    const receiver = await startReceiver((_req, index) => (index === 0 ? html : undefined))
    const h = harness({ apiHost: receiver.origin, retryBackoffFactor: 0.01 })
    await h.mp.track('user', 'After a proxy page', { $insert_id: 'html-1' })
    await h.consumer.flush()
    assert.equal(receiver.requests.length, 2, 'sent again after the HTML answer')
    assert.deepEqual([...receiver.uniqueInsertIds()], ['html-1'])
    assert.equal(h.consumer.stats().retried, 1)
    assert.equal(h.consumer.stats().dropped.rejected, 0)
    const result = await h.consumer.close()
    assert.deepEqual(result, { sent: 1, failed: 0, dropped: 0, pending: 0 })
    assertAccounted(h.consumer.stats(), 0)
  })

  test('Consumer: the awaited track() is retried and resolves; /import is retried too', async () => {
    const receiver = await startReceiver((_req, index) => (index % 2 === 0 ? html : undefined))
    const consumer = new Consumer({ apiHost: receiver.origin, retryBackoffFactor: 0.01, logger: false })
    const mp = new Mixpanel('tok', { consumer })
    await mp.track('user', 'Tracked', { $insert_id: 'html-2' })
    await mp.import('user', 'Imported', 1_700_000_000_000, { $insert_id: 'html-3' })
    assert.equal(receiver.requests.length, 4)
    assert.deepEqual(new Set(receiver.uniqueInsertIds()), new Set(['html-2', 'html-3']))
    assert.deepEqual(await consumer.close(), { sent: 2, failed: 0, dropped: 0, pending: 0 })
  })

  test('verbose status 0 is still a refusal, not retried', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: { status: 0, error: 'bad token' } }))
    const consumer = new BatchConsumer({ apiHost: receiver.origin, logger: false })
    const mp = new Mixpanel('tok', { consumer })
    await mp.track('user', 'Refused')
    await consumer.flush()
    assert.equal(receiver.requests.length, 1)
    assert.equal(consumer.stats().dropped.rejected, 1)
    await consumer.close()
  })
})
