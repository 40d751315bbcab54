import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer, type BatchConsumerOptions } from '../../src/consumers/index.js'
import {
  createFakeClock,
  createMemoryTransport,
  type FakeClock,
  type MemoryTransport,
  type ReceiverHandler,
} from '../../src/testing/index.js'
import { cleanup, onCleanup, sorted, tick, waitFor } from './helpers.js'

/**
 * A consumer on a fake clock (also used by the client for `time` and message ages), sending
 * through an in-memory transport that answers with `handler`: nothing waits for real time.
 */
function setup(handler: ReceiverHandler | undefined, options: BatchConsumerOptions = {}) {
  const clock = createFakeClock()
  const receiver = createMemoryTransport({ clock, handler })
  const retries: Array<{ attempt: number; delayMs: number; status: number | undefined }> = []
  const drops: Array<{ reason: string; ids: string[] }> = []
  const failures: string[] = []
  const consumer = new BatchConsumer({
    transport: receiver,
    clock,
    random: () => 0.5,
    onDrop: (messages, reason) => drops.push({ reason, ids: messages.map((m) => m.id) }),
    onFailure: (error) => failures.push(error.code),
    ...options,
  })
  consumer.on('retry', (e) => retries.push({ attempt: e.attempt, delayMs: e.delayMs, status: e.status }))
  onCleanup(() => consumer.close({ timeoutMs: 0 }))
  const mp = new Mixpanel('fake-clock-token', { consumer, clock })
  return { clock, consumer, mp, retries, drops, failures, receiver }
}

/** Advances the fake clock, then lets the engine run so that due requests reach the transport. */
async function advance(clock: FakeClock, ms: number): Promise<void> {
  await clock.advance(ms)
  await tick(5)
}

/**
 * Asserts that no new request was sent once the engine has run: the memory transport records a
 * request as soon as it is sent, so no real time needs to pass.
 */
async function assertNoRequest(receiver: MemoryTransport, count: number, when: string): Promise<void> {
  await tick(10)
  assert.equal(receiver.requests.length, count, `no request expected ${when}`)
}

describe('BatchConsumer timing on a fake clock', () => {
  afterEach(cleanup)
  test('steps the exact backoff sequence, then drops the message as retries_exhausted', async () => {
    const { clock, consumer, mp, retries, drops, failures, receiver } = setup(() => ({ status: 500 }), {
      retryBackoffFactor: 1,
      maxRetryDelayMs: 5000,
      retryLimit: 4,
    })
    void mp.track('user', 'Doomed', { $insert_id: 'doomed-1' })
    const flushed = consumer.flush()
    // Full jitter with random() = 0.5: half of min(5000, 1000 × 2^(n−1)).
    const expected = [500, 1000, 2000, 2500]
    for (let n = 0; n < expected.length; n++) {
      await waitFor(() => retries.length === n + 1, `retry ${n + 1}`)
      assert.deepEqual(retries[n], { attempt: n + 1, delayMs: expected[n], status: 500 })
      await advance(clock, expected[n]! - 1)
      await assertNoRequest(receiver, n + 1, `before ${expected[n]} ms`)
      await advance(clock, 1)
      await waitFor(() => receiver.requests.length === n + 2, `attempt ${n + 2}`)
    }
    await flushed
    assert.equal(receiver.requests.length, 5, 'one attempt and four retries')
    assert.deepEqual(drops, [{ reason: 'retries_exhausted', ids: ['doomed-1'] }])
    assert.deepEqual(failures, ['EVENTWIRE_RETRIES_EXHAUSTED'])
    const stats = consumer.stats()
    assert.equal(stats.dropped.retries_exhausted, 1)
    assert.equal(stats.failed, 1)
    assert.equal(stats.retried, 4)
    assert.deepEqual(await consumer.close(), { sent: 0, failed: 1, dropped: 0, pending: 0 })
    await receiver.close()
  })

  test('the flush interval sends a partial batch exactly flushIntervalMs after it started waiting', async () => {
    const { clock, consumer, mp, receiver } = setup(undefined, { flushIntervalMs: 1000, batchSize: 50 })
    for (let i = 0; i < 3; i++) await mp.track('user', 'Waiting', { $insert_id: `w-${i}` })
    await advance(clock, 999)
    await assertNoRequest(receiver, 0, 'before the interval')
    await advance(clock, 1)
    await waitFor(() => receiver.requests.length === 1, 'the interval flush')
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ['w-0', 'w-1', 'w-2'])
    await consumer.close()
    await receiver.close()
  })

  test('setFlushTimer() replaces the interval; cancelFlushTimer() leaves only size and flush()', async () => {
    const { clock, consumer, mp, receiver } = setup(undefined, { flushIntervalMs: 10_000, batchSize: 50 })
    consumer.setFlushTimer(200)
    await mp.track('user', 'Timer', { $insert_id: 't-0' })
    await advance(clock, 200)
    await waitFor(() => receiver.requests.length === 1, 'the 200 ms timer')
    consumer.cancelFlushTimer()
    await mp.track('user', 'Timer', { $insert_id: 't-1' })
    await advance(clock, 3_600_000)
    await assertNoRequest(receiver, 1, 'with the timer cancelled')
    await consumer.flush()
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), ['t-0', 't-1'])
    assert.throws(() => consumer.setFlushTimer(0), { code: 'EVENTWIRE_INVALID_OPTION' })
    await consumer.close()
    await receiver.close()
  })

  test('Retry-After pauses every request to the destination, not just the refused batch', async () => {
    const { clock, consumer, mp, retries, receiver } = setup(
      (_req, index) => (index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : undefined),
      { batchSize: 5, maxConcurrentRequests: 1 },
    )
    for (let i = 0; i < 5; i++) void mp.track('user', 'First', { $insert_id: `f-${i}` })
    await waitFor(() => retries.length === 1, 'the 429')
    assert.deepEqual(retries[0], { attempt: 1, delayMs: 2000, status: 429 })
    assert.equal(consumer.stats().pausedUntil, clock.now() + 2000)
    for (let i = 0; i < 5; i++) void mp.track('user', 'Second', { $insert_id: `s-${i}` })
    await advance(clock, 1999)
    await assertNoRequest(receiver, 1, 'while paused, even for a new full batch')
    await advance(clock, 1)
    await waitFor(() => receiver.requests.length === 3, 'both batches after the pause')
    assert.equal(receiver.uniqueInsertIds().size, 10)
    await consumer.close()
    await receiver.close()
  })

  test('retryBudgetMs: a message older than its budget is not retried again', async () => {
    const { clock, consumer, mp, retries, drops, receiver } = setup(() => ({ status: 502 }), {
      retryBackoffFactor: 1,
      retryLimit: 100,
      retryBudgetMs: 1000,
    })
    void mp.track('user', 'Old', { $insert_id: 'old-1' })
    const flushed = consumer.flush()
    await waitFor(() => retries.length === 1, 'retry 1')
    await advance(clock, 500)
    await waitFor(() => retries.length === 2, 'retry 2')
    assert.equal(retries[1]!.delayMs, 1000)
    await advance(clock, 1000)
    await flushed
    assert.equal(receiver.requests.length, 3)
    assert.deepEqual(drops, [{ reason: 'retries_exhausted', ids: ['old-1'] }])
    await consumer.close()
    await receiver.close()
  })

  test('consecutive failures back off the whole destination; a success resets the streak', async () => {
    let failing = true
    const { clock, consumer, mp, retries, receiver } = setup(() => (failing ? { status: 503 } : undefined), {
      batchSize: 2,
      maxConcurrentRequests: 2,
      retryBackoffFactor: 1,
    })
    for (let i = 0; i < 2; i++) void mp.track('user', 'A', { $insert_id: `a-${i}` })
    await waitFor(() => retries.length === 1, 'first failure')
    assert.deepEqual(retries[0], { attempt: 1, delayMs: 500, status: 503 })
    // A fresh batch waits for the pause, then goes out beside A's retry.
    for (let i = 0; i < 2; i++) void mp.track('user', 'B', { $insert_id: `b-${i}` })
    await advance(clock, 499)
    await assertNoRequest(receiver, 1, 'during the pause')
    await advance(clock, 1)
    await waitFor(() => retries.length === 3, 'A and B failing')
    // Both were sent before either failure grew the streak to 2: its 2nd step (1000 ms) applies to
    // both, also to B's first retry, which alone would wait 500 ms.
    assert.deepEqual(
      retries.slice(1).sort((x, y) => x.attempt - y.attempt),
      [
        { attempt: 1, delayMs: 1000, status: 503 },
        { attempt: 2, delayMs: 1000, status: 503 },
      ],
    )
    failing = false
    await advance(clock, 1000)
    await waitFor(() => receiver.uniqueInsertIds().size === 4, 'recovery')
    failing = true
    for (let i = 0; i < 2; i++) void mp.track('user', 'C', { $insert_id: `c-${i}` })
    await consumer.flush({ wait: false })
    await waitFor(() => retries.length === 4, 'a failure after the recovery')
    assert.deepEqual(retries[3], { attempt: 1, delayMs: 500, status: 503 }, 'the streak restarted')
    failing = false
    await advance(clock, 500)
    await consumer.flush()
    assert.equal(consumer.stats().sent, 6)
    await consumer.close()
    await receiver.close()
  })
})
