import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { Consumer, type DeliveryError, Mixpanel, MixpanelError } from '../../src/index.js'
import type { Message } from '../../src/message/index.js'
import {
  createFakeClock,
  type ScriptedResponse,
  startTestReceiver,
  type TestReceiver,
} from '../../src/testing/index.js'
import { waitFor } from '../batch/helpers.js'

const TIMEOUT_MS = 5000

describe('Consumer retries', () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.close())

  test('500, 503, 429 + Retry-After, reset socket, slow response, then 200: exact backoff sequence, delivered once', async () => {
    const clock = createFakeClock({ autoAdvanceSleeps: true })
    const script: Array<ScriptedResponse | 'slow'> = [
      { status: 500, body: { error: 'boom' } },
      { status: 503 },
      { status: 429, headers: { 'retry-after': '3' }, body: { error: 'Project exceeded rate limits' } },
      { action: 'reset' },
      'slow',
    ]
    receiver.requests.length = 0
    receiver.handle(async (_req, index) => {
      const step = script[index]
      if (step === 'slow') {
        // Time moves past the request deadline while the server holds the response.
        void clock.advance(TIMEOUT_MS)
        return { action: 'hang' }
      }
      return step
    })
    const consumer = new Consumer({
      apiHost: receiver.origin,
      clock,
      random: () => 0.5,
      retryLimit: 5,
      requestTimeoutMs: TIMEOUT_MS,
    })
    const retries: Array<{ attempt: number; delayMs: number; status: number | undefined; code: string }> = []
    consumer.on('retry', (r) =>
      retries.push({
        attempt: r.attempt,
        delayMs: r.delayMs,
        status: r.status,
        code: (r.error as MixpanelError).code,
      }),
    )
    const mp = new Mixpanel('tok', { consumer })
    await mp.track('u1', 'Retried', { $insert_id: 'retry-1' })
    receiver.handle(undefined)

    // factor 0.25 s, full jitter at 0.5: 125, 250; Retry-After 3 s; then 1000, 2000.
    assert.deepEqual(clock.sleeps, [125, 250, 3000, 1000, 2000])
    assert.deepEqual(
      retries.map((r) => [r.attempt, r.status, r.code]),
      [
        [1, 500, 'EVENTWIRE_HTTP_ERROR'],
        [2, 503, 'EVENTWIRE_HTTP_ERROR'],
        [3, 429, 'EVENTWIRE_HTTP_ERROR'],
        [4, undefined, 'EVENTWIRE_NETWORK_ERROR'],
        [5, undefined, 'EVENTWIRE_TIMEOUT'],
      ],
    )
    assert.equal(receiver.requests.length, 6)
    const ids = receiver.requests.map((r) => (r.records[0]!.properties as Record<string, unknown>).$insert_id)
    assert.deepEqual(new Set(ids), new Set(['retry-1']), 'the same $insert_id on every attempt')
    assert.deepEqual(receiver.uniqueInsertIds(), new Set(['retry-1']))
    assert.equal(receiver.delivered('/track').length, 1, 'acknowledged exactly once')
    assert.deepEqual(await consumer.close(), { sent: 1, failed: 0, dropped: 0, pending: 0 })
  })

  test('never retries 400, 401, 403 or 413; the error names endpoint and status', async () => {
    for (const status of [400, 401, 403, 413]) {
      receiver.requests.length = 0
      receiver.handle(() => ({ status, body: { error: `nope ${status}`, status: 0 } }))
      const consumer = new Consumer({
        apiHost: receiver.origin,
        clock: createFakeClock({ autoAdvanceSleeps: true }),
      })
      const drops: string[] = []
      consumer.on('drop', (d) => drops.push(d.reason))
      const mp = new Mixpanel('tok', { consumer })
      const error = await mp.track('u1', 'E').then(
        () => assert.fail('expected a rejection'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof MixpanelError, String(error))
      assert.equal(error.status, status)
      assert.equal(error.endpoint, 'events')
      assert.equal(error.retryable, false)
      assert.equal(error.rejected.length, 1)
      assert.match(error.message, new RegExp(`nope ${status}`))
      assert.equal(receiver.requests.length, 1, `${status} is not retried`)
      assert.deepEqual(drops, [status === 413 ? 'too_large' : 'rejected'])
      await consumer.close()
    }
    receiver.handle(undefined)
  })

  test('gives up after retryLimit and reports the undelivered message', async () => {
    receiver.requests.length = 0
    receiver.handle(() => ({ status: 502 }))
    const clock = createFakeClock({ autoAdvanceSleeps: true })
    const consumer = new Consumer({
      apiHost: receiver.origin,
      clock,
      random: () => 1,
      retryLimit: 2,
      retryBackoffFactor: 1,
    })
    const failures: number[] = []
    consumer.on('failure', (f) => failures.push(f.messages.length))
    const error = await new Mixpanel('tok', { consumer }).track('u1', 'E').then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as MixpanelError,
    )
    receiver.handle(undefined)
    assert.equal(error.code, 'EVENTWIRE_HTTP_ERROR')
    assert.equal(error.retryable, true)
    assert.equal(error.messages.length, 1)
    assert.equal(receiver.requests.length, 3)
    assert.deepEqual(clock.sleeps, [1000, 2000])
    assert.deepEqual(failures, [1])
    assert.deepEqual(await consumer.close(), { sent: 0, failed: 1, dropped: 0, pending: 0 })
  })

  test('verbose status 0 is an error even with HTTP 200', async () => {
    receiver.handle(() => ({ status: 200, body: { status: 0, error: 'token missing' } }))
    const consumer = new Consumer({ apiHost: receiver.origin })
    const error = await new Mixpanel('tok', { consumer }).track('u1', 'E').then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as MixpanelError,
    )
    receiver.handle(undefined)
    assert.equal(error.code, 'EVENTWIRE_API_ERROR')
    assert.match(error.message, /token missing/)
    await consumer.close()
  })

  test('an unknown endpoint is an error', async () => {
    const consumer = new Consumer({ apiHost: receiver.origin })
    await assert.rejects(consumer.send('bogus' as 'events', []), { code: 'EVENTWIRE_UNKNOWN_ENDPOINT' })
    await consumer.close()
  })

  test('a message whose JSON cannot be written is refused without a request', async () => {
    receiver.reset()
    receiver.handle(undefined)
    const consumer = new Consumer({ apiHost: receiver.origin })
    const broken = {
      id: 'broken',
      kind: 'events',
      createdAt: 0,
      body: {},
      bytes: 10,
      get json(): string {
        throw new Error('cannot serialise')
      },
    } as Message
    await assert.rejects(consumer.send('events', broken), (error: DeliveryError) => {
      assert.deepEqual(
        error.rejected.map((r) => [r.message.id, r.error.code]),
        [['broken', 'EVENTWIRE_INVALID_PROPERTY']],
      )
      return true
    })
    assert.equal(receiver.requests.length, 0)
    assert.equal(consumer.stats().dropped.rejected, 1)
    await consumer.close()
  })

  test('close() aborts a request that never answers at the deadline', async () => {
    receiver.requests.length = 0
    receiver.handle(() => ({ action: 'hang' }))
    const consumer = new Consumer({ apiHost: receiver.origin, requestTimeoutMs: 60_000 })
    const mp = new Mixpanel('tok', { consumer })
    const sent = mp.track('u1', 'Stuck').catch((e: unknown) => e)
    await waitFor(() => receiver.requests.length > 0, 'the request that hangs')
    const result = await consumer.close({ timeoutMs: 50 })
    receiver.handle(undefined)
    assert.deepEqual(result, { sent: 0, failed: 0, dropped: 0, pending: 1 })
    assert.equal(((await sent) as MixpanelError).messages.length, 1)
    await assert.rejects(mp.track('u1', 'After close'), { code: 'EVENTWIRE_CLOSED' })
  })

  test('secrets never appear in errors or request notifications', async () => {
    receiver.handle(() => ({ status: 401, body: { error: 'Invalid credentials', status: 'Unauthorized' } }))
    const secret = 'very-secret-service-account-password'
    const consumer = new Consumer({
      apiHost: receiver.origin,
      serviceAccount: { username: 'sa', secret, projectId: 7 },
    })
    const seen: string[] = []
    consumer.on('request', (r) => seen.push(JSON.stringify(r)))
    const error = await new Mixpanel('tok', { consumer })
      .import('u1', 'E', 1_700_000_000)
      .catch((e: unknown) => e as Error)
    receiver.handle(undefined)
    const base64 = Buffer.from(`sa:${secret}`).toString('base64')
    assert.ok(seen.length === 1 && seen[0]!.includes('[redacted]'))
    for (const text of [...seen, String(error), (error as Error).stack ?? '', JSON.stringify(error)]) {
      assert.ok(!text.includes(secret) && !text.includes(base64), `secret leaked in: ${text.slice(0, 200)}`)
    }
    await consumer.close()
  })
})
