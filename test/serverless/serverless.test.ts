/**
 * The serverless patterns of docs/serverless.md, run against the local collector: the moment a
 * Lambda handler's promise settles, or the promise handed to `waitUntil` settles, every event the
 * invocation tracked has arrived (the platform may freeze the function right after).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestCollector, type TestCollector } from '../../src/testing/index.js'

let collector: TestCollector
before(async () => {
  collector = await startTestCollector()
  process.env.EVENTWIRE_API_HOST = collector.url
})
after(() => collector.close())

test('AWS Lambda: when the handler resolves, its events and profile updates have arrived', async () => {
  const { handler } = await import('../../examples/serverless/lambda.js')
  for (let i = 0; i < 3; i++) {
    const answer = await handler({ userId: `u-${i}`, orderId: `o-${i}`, amount: 10 + i })
    assert.equal(answer.statusCode, 200)
    // Nothing awaited after the handler: what is here arrived before the runtime could freeze it.
    const orders = collector.events({ name: 'Order placed' })
    assert.equal(orders.length, i + 1)
    assert.equal(orders[i]!.properties.orderId, `o-${i}`)
    assert.equal(collector.profile(`u-${i}`)?.orders, 1)
  }
})

test('waitUntil (Cloudflare, Vercel): the response is immediate; the promise handed over settles after delivery', async () => {
  const { default: worker } = await import('../../examples/serverless/edge-handler.js')
  const handedOver: Array<Promise<unknown>> = []
  const ctx = { waitUntil: (promise: Promise<unknown>) => void handedOver.push(promise) }
  const response = await worker.fetch(new Request('https://example.test/pricing?user=w-1'), {}, ctx)
  assert.equal(await response.text(), 'ok')
  assert.equal(handedOver.length, 1, 'flush() was handed to waitUntil')
  await handedOver[0]
  const views = collector.events({ name: 'Page viewed', distinctId: 'w-1' })
  assert.equal(views.length, 1)
  assert.equal(views[0]!.properties.path, '/pricing')
})
