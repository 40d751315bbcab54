import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { CloseResult, EventConsumer } from '../consumers/index.js'
import { createMessage, type Message } from '../message/index.js'
import { type ReceiverHandler, startTestReceiver, type TestReceiver } from './test-receiver.js'

/** How to run {@link runConsumerContract} against one consumer. */
export interface ConsumerContractOptions {
  /** Shown in the test names. */
  name: string
  /**
   * Builds a fresh consumer that delivers to the Mixpanel-compatible receiver at `origin` (use it
   * as `apiHost`). Each test builds its own and closes it.
   */
  create(origin: string): EventConsumer
}

function event(id: string): Message {
  return createMessage(
    'events',
    id,
    { event: 'Contract', properties: { token: 'contract', $insert_id: id } },
    0,
  )
}

const settled = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error?.code ?? 'rejected',
  )

/**
 * The contract every `EventConsumer` keeps, as `node:test` tests: what it accepts is delivered
 * once each by `flush()`; `close()` reports every message (`sent + failed + dropped + pending`),
 * is idempotent and never rejects; after it, `send()` rejects with `EVENTWIRE_CLOSED`; an
 * unknown endpoint rejects with `EVENTWIRE_UNKNOWN_ENDPOINT`; neither throws synchronously; a
 * refusal by the server is reported, not lost; `drop()`, when offered, is counted. Call it at the
 * top level of a test file.
 */
export function runConsumerContract(options: ConsumerContractOptions): void {
  let receiver: TestReceiver
  let handler: ReceiverHandler | undefined

  describe(`EventConsumer contract: ${options.name}`, () => {
    before(async () => {
      receiver = await startTestReceiver((request, index) => handler?.(request, index))
    })
    after(() => receiver.close())

    test('what it accepts is delivered once each; close() reports it all as sent', async () => {
      receiver.reset()
      handler = undefined
      const consumer = options.create(receiver.origin)
      const ids = Array.from({ length: 25 }, (_, i) => `accepted-${i}`)
      const sends = ids.map((id) => settled(consumer.send('events', event(id))))
      await consumer.flush().catch(() => {})
      assert.deepEqual(new Set(await Promise.all(sends)), new Set(['resolved']))
      assert.deepEqual([...receiver.uniqueInsertIds()].sort(), [...ids].sort())
      assert.equal(receiver.delivered('/track').length, ids.length, 'each once')
      const result = await consumer.close()
      assert.equal(result.sent, ids.length)
      assert.equal(result.pending + result.failed + result.dropped, 0)
    })

    test('close() is idempotent and never rejects; then send() rejects with EVENTWIRE_CLOSED', async () => {
      const consumer = options.create(receiver.origin)
      const first = await consumer.close()
      const second = await consumer.close()
      assert.deepEqual(second, first)
      let thrown: unknown
      let sent: Promise<void> | undefined
      try {
        sent = consumer.send('events', event('after-close'))
      } catch (error) {
        thrown = error
      }
      assert.equal(thrown, undefined, 'send() does not throw synchronously')
      assert.equal(await settled(sent!), 'EVENTWIRE_CLOSED')
    })

    test('an unknown endpoint rejects with EVENTWIRE_UNKNOWN_ENDPOINT', async () => {
      const consumer = options.create(receiver.origin)
      const sent = consumer.send('nope' as never, event('unknown'))
      assert.equal(await settled(sent), 'EVENTWIRE_UNKNOWN_ENDPOINT')
      await consumer.close()
    })

    test('a message the server refuses is reported by close(), never lost', async () => {
      receiver.reset()
      handler = () => ({ status: 400, body: { error: 'refused by contract' } })
      const consumer = options.create(receiver.origin)
      await settled(consumer.send('events', event('refused')))
      await consumer.flush().catch(() => {})
      const result: CloseResult = await consumer.close()
      handler = undefined
      assert.equal(result.sent, 0)
      assert.equal(result.failed + result.dropped + result.pending, 1)
    })

    test('drop(), when offered, is counted by close()', async () => {
      const consumer = options.create(receiver.origin)
      if (consumer.drop === undefined) {
        await consumer.close()
        return
      }
      consumer.drop('events', [event('dropped-by-plan')], 'plan_violation', new Error('not in the plan'))
      const result = await consumer.close()
      assert.equal(result.dropped, 1)
    })
  })
}
