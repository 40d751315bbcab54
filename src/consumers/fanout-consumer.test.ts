import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError, EventwireError, FanoutError } from '../errors/index.js'
import { createMessage } from '../message/index.js'
import { createTestConsumer } from '../testing/index.js'
import type { EventConsumer } from './consumer.js'
import { FanoutConsumer } from './fanout-consumer.js'

const message = createMessage('events', 'id-1', { event: 'e', properties: { $insert_id: 'id-1' } }, 0)

/** A consumer whose send throws synchronously (a broken custom consumer). */
const throwing: EventConsumer = {
  send() {
    throw new Error('broken consumer')
  },
  flush: async () => {},
  close: async () => ({ sent: 0, failed: 0, dropped: 0, pending: 7 }),
}

describe('FanoutConsumer', () => {
  test('hands each message to every consumer', async () => {
    const a = createTestConsumer()
    const b = createTestConsumer()
    const fanout = new FanoutConsumer([a, b])
    await fanout.send('events', message)
    assert.equal(a.sent.length, 1)
    assert.equal(b.sent.length, 1)
    assert.deepEqual(fanout.consumers, [a, b])
  })

  test('a refusal by some consumers rejects with FanoutError after all answered; the others got it', async () => {
    const a = createTestConsumer()
    const fanout = new FanoutConsumer([a, throwing])
    const error = await fanout.send('events', message).then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.ok(error instanceof FanoutError)
    assert.equal(error.accepted, 1)
    assert.equal(error.errors[0]!.consumer, 1)
    assert.match(error.message, /1 of 2 consumers refused the message: broken consumer/)
    assert.equal(a.sent.length, 1)
  })

  test('the same refusal from every consumer rejects with that error itself', async () => {
    const a = createTestConsumer()
    const b = createTestConsumer()
    const fanout = new FanoutConsumer([a, b])
    await fanout.close()
    await assert.rejects(
      fanout.send('events', message),
      (e: unknown) => e instanceof EventwireError && e.code === 'EVENTWIRE_CLOSED',
    )
  })

  test('close() sums the results, keeps each one, and is idempotent', async () => {
    const fanout = new FanoutConsumer([createTestConsumer(), throwing])
    const result = await fanout.close({ timeoutMs: 5 })
    assert.equal(result.pending, 7)
    assert.equal(result.consumers.length, 2)
    assert.equal(fanout.close(), fanout.close())
  })

  test('drop() is passed to every consumer that supports it', () => {
    const seen: string[] = []
    const dropping: EventConsumer = {
      ...createTestConsumer(),
      drop: (_endpoint, messages, reason) => seen.push(`${reason}:${messages.length}`),
    }
    const fanout = new FanoutConsumer([dropping, createTestConsumer(), dropping])
    fanout.drop('events', [message], 'plan_violation')
    assert.deepEqual(seen, ['plan_violation:1', 'plan_violation:1'])
  })

  test('needs at least one consumer', () => {
    assert.throws(() => new FanoutConsumer([]), ConfigError)
    assert.throws(() => new FanoutConsumer([{} as EventConsumer]), { option: 'consumers[0]' })
  })
})
