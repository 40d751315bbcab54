import assert from 'node:assert/strict'
import { afterEach, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer } from '../../src/consumers/index.js'
import { http } from '../../src/destinations/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'

afterEach(cleanup)

test('a BatchConsumer sends to any webhook through http(): JSON arrays of Mixpanel-shaped bodies', async () => {
  const webhook = await startReceiver()
  const consumer = new BatchConsumer({
    destination: http({
      url: `${webhook.origin}/hooks/analytics`,
      headers: { authorization: 'Bearer hook-secret' },
    }),
    batchSize: 10,
  })
  const mp = new Mixpanel('tok', { consumer })
  for (let i = 0; i < 25; i++) void mp.track(`user-${i}`, 'Hooked', { i })
  void mp.people.set('user-1', { plan: 'pro' })
  await consumer.flush()
  const paths = webhook.requests.map((r) => `${r.path} ${r.headers['x-eventwire-kind']}`)
  assert.deepEqual(new Set(paths), new Set(['/hooks/analytics events', '/hooks/analytics people']))
  assert.ok(webhook.requests.every((r) => r.headers.authorization === 'Bearer hook-secret'))
  const events = webhook.requests.filter((r) => r.headers['x-eventwire-kind'] === 'events')
  assert.ok(events.length >= 3 && events.every((r) => r.records.length <= 10), 'batches of at most 10')
  assert.equal(
    new Set(events.flatMap((r) => r.records.map((e) => (e.properties as { i: number }).i))).size,
    25,
  )
  assert.deepEqual(await consumer.close(), { sent: 26, failed: 0, dropped: 0, pending: 0 })
})
