import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { cleanup, harness, sorted, startReceiver, tick, trackMany, waitFor } from './helpers.js'

describe('BatchConsumer overflow policies (bufferCapacity 5)', () => {
  afterEach(cleanup)
  test("'drop-newest' refuses the new messages: each drop in onDrop, the drop event and stats()", async () => {
    const receiver = await startReceiver()
    const h = harness({
      apiHost: receiver.origin,
      bufferCapacity: 5,
      overflow: 'drop-newest',
      startOnInit: false,
    })
    const events: Array<{ reason: string; count: number }> = []
    h.consumer.on('drop', (e) => events.push({ reason: e.reason, count: e.count }))
    const ids = trackMany(h.mp, 8)
    await tick()
    assert.deepEqual(h.dropped('queue_full'), ['e-5', 'e-6', 'e-7'])
    assert.deepEqual(events, [{ reason: 'queue_full', count: 3 }])
    assert.equal(h.consumer.stats().dropped.queue_full, 3)
    assert.equal(h.consumer.stats().queued, 5)
    h.consumer.start()
    await h.consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ids.slice(0, 5))
    assert.deepEqual(await h.consumer.close(), { sent: 5, failed: 0, dropped: 3, pending: 0 })
    await receiver.close()
  })

  test("'drop-oldest' evicts the oldest waiting messages", async () => {
    const receiver = await startReceiver()
    const h = harness({
      apiHost: receiver.origin,
      bufferCapacity: 5,
      overflow: 'drop-oldest',
      startOnInit: false,
    })
    const ids = trackMany(h.mp, 8)
    await tick()
    assert.deepEqual(h.dropped('queue_full'), ['e-0', 'e-1', 'e-2'])
    assert.equal(h.consumer.stats().dropped.queue_full, 3)
    h.consumer.start()
    await h.consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ids.slice(3))
    assert.deepEqual(await h.consumer.close(), { sent: 5, failed: 0, dropped: 3, pending: 0 })
    await receiver.close()
  })

  test("'block' makes track() wait for room, then delivers everything without a drop", async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, bufferCapacity: 5, overflow: 'block', startOnInit: false })
    const first = [0, 1, 2, 3, 4].map((i) => `a-${i}`)
    await Promise.all(first.map((id) => h.mp.track('user', 'Fits', { $insert_id: id })))
    const settled: string[] = []
    const late = [0, 1, 2].map((i) =>
      h.mp.track('user', 'Late', { $insert_id: `b-${i}` }).then(() => settled.push(`b-${i}`)),
    )
    await tick(10)
    assert.deepEqual(settled, [], 'track() waits while the store is full')
    assert.equal(h.consumer.stats().dropped.queue_full, 0)
    h.consumer.start()
    await Promise.all(late)
    await h.consumer.flush()
    assert.deepEqual(settled.sort(), ['b-0', 'b-1', 'b-2'])
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted([...first, 'b-0', 'b-1', 'b-2']))
    assert.deepEqual(h.drops, [])
    await h.consumer.close()
    await receiver.close()
  })

  test("'block' at close()'s deadline: waiting messages are dropped as closed and their track() rejects", async () => {
    const receiver = await startReceiver(() => ({ action: 'hang' }))
    const h = harness({ apiHost: receiver.origin, bufferCapacity: 2, overflow: 'block', batchSize: 2 })
    trackMany(h.mp, 2, 'stored')
    await waitFor(() => receiver.requests.length === 1, 'the first batch to be in flight')
    const waiting = Promise.allSettled(
      [0, 1, 2].map((i) => h.mp.track('user', 'Blocked', { $insert_id: `blocked-${i}` })),
    )
    await tick()
    const result = await h.consumer.close({ timeoutMs: 200 })
    const outcomes = await waiting
    assert.ok(
      outcomes.every(
        (o) => o.status === 'rejected' && (o.reason as { code?: string }).code === 'EVENTWIRE_CLOSED',
      ),
    )
    assert.deepEqual(sorted(h.dropped('closed')), ['blocked-0', 'blocked-1', 'blocked-2'])
    assert.deepEqual(result, { sent: 0, failed: 0, dropped: 3, pending: 2 })
    await receiver.close()
  })
})
