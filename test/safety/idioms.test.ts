/**
 * The resource and event idioms Node code expects: `await using` disposes, consumers and flag
 * providers are `EventEmitter`s (`events.once`, `events.on`), `flush()` and `close()` take an
 * `AbortSignal`.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer, BufferedConsumer, Consumer } from '../../src/consumers/index.js'
import { LocalFlagsProvider } from '../../src/flags/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { InMemoryEventStore } from '../../src/stores/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'

afterEach(cleanup)
const dir = mkdtempSync(join(tmpdir(), 'eventwire-idioms-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('await using', () => {
  test('disposes the client, its consumer and a store: everything delivered, then closed', async () => {
    const receiver = await startReceiver()
    let consumer: BatchConsumer
    let store: SqliteEventStore
    {
      await using sqlite = await SqliteEventStore.open({ path: join(dir, 'disposed.db') })
      await using mp = new Mixpanel('tok', {
        consumer: new BatchConsumer({ apiHost: receiver.origin, store: sqlite, flushIntervalMs: 0 }),
      })
      store = sqlite
      consumer = mp.consumer as BatchConsumer
      for (let i = 0; i < 5; i++) void mp.track('user', 'Disposed', { $insert_id: `d-${i}` })
    }
    assert.equal(receiver.uniqueInsertIds().size, 5, 'disposing the client flushed its consumer')
    await assert.rejects(consumer.send('events', []), { code: 'EVENTWIRE_CLOSED' })
    await assert.rejects(store.size(), { code: 'EVENTWIRE_CLOSED' })
  })

  test('disposes each consumer kind and the memory store', async () => {
    const receiver = await startReceiver()
    const consumers = [
      new Consumer({ apiHost: receiver.origin }),
      new BufferedConsumer({ apiHost: receiver.origin }),
      new BatchConsumer({ apiHost: receiver.origin }),
    ]
    for (const consumer of consumers) {
      await using disposable = consumer
      await new Mixpanel('tok', { consumer: disposable }).track('user', 'One each')
    }
    assert.equal(receiver.delivered('/track').length, 3)
    for (const consumer of consumers)
      await assert.rejects(consumer.send('events', []), { code: 'EVENTWIRE_CLOSED' })
    const store = new InMemoryEventStore()
    {
      await using _store = store
    }
    await assert.rejects(store.size(), { code: 'EVENTWIRE_CLOSED' })
  })
})

describe('consumers and providers are EventEmitters', () => {
  test("events.once(consumer, 'drained') resolves when everything accepted is delivered", async () => {
    const receiver = await startReceiver()
    const consumer = new BatchConsumer({ apiHost: receiver.origin, flushIntervalMs: 0 })
    const mp = new Mixpanel('tok', { consumer })
    const drained = once(consumer, 'drained')
    for (let i = 0; i < 3; i++) void mp.track('user', 'Drained')
    void consumer.flush()
    const [payload] = (await drained) as [{ sent: number }]
    assert.equal(payload.sent, 3)
    await consumer.close()
  })

  test('on / off / once work as on any EventEmitter; a listener that throws breaks nothing', async () => {
    const receiver = await startReceiver()
    const logged: string[] = []
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: unknown, m: string) => logged.push(m) }
    const consumer = new Consumer({ apiHost: receiver.origin, logger })
    const seen: number[] = []
    const listener = ({ messages }: { messages: readonly unknown[] }) => seen.push(messages.length)
    consumer.on('success', listener)
    consumer.once('success', () => {
      throw new Error('a listener that throws')
    })
    const mp = new Mixpanel('tok', { consumer })
    await mp.track('user', 'First')
    consumer.off('success', listener)
    await mp.track('user', 'Second')
    assert.deepEqual(seen, [1])
    assert.deepEqual(logged, ['eventwire: an event listener threw'])
    assert.equal(receiver.delivered('/track').length, 2)
    await consumer.close()
  })

  test("events.once(localFlags, 'ready') resolves when definitions load", async () => {
    const flags = new LocalFlagsProvider({ definitions: { flags: [] }, logger: false })
    const ready = flags.areFlagsReady() ? Promise.resolve() : once(flags, 'ready')
    await ready
    assert.equal(flags.areFlagsReady(), true)
    await flags.shutdown()
  })
})

describe('AbortSignal on flush() and close()', () => {
  test('an aborted flush() rejects with the abort reason while delivery goes on', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 300 }))
    const consumer = new BatchConsumer({ apiHost: receiver.origin, flushIntervalMs: 0 })
    const mp = new Mixpanel('tok', { consumer })
    for (let i = 0; i < 3; i++) void mp.track('user', 'Slow', { $insert_id: `slow-${i}` })
    const controller = new AbortController()
    const flushed = consumer.flush({ signal: controller.signal })
    const reason = new Error('the request handler gave up')
    setTimeout(() => controller.abort(reason), 50)
    await assert.rejects(flushed, (error) => error === reason)
    assert.equal(consumer.stats().sent, 0, 'nothing delivered yet when the flush gave up')
    await consumer.flush()
    assert.equal(receiver.uniqueInsertIds().size, 3, 'delivery went on')
    await consumer.close()
  })

  test('an aborted close() stops waiting at once and reports what is pending', async () => {
    const receiver = await startReceiver(() => ({ action: 'hang' }))
    const consumer = new BatchConsumer({ apiHost: receiver.origin, flushIntervalMs: 0, logger: false })
    const mp = new Mixpanel('tok', { consumer })
    void mp.track('user', 'Hanging')
    const controller = new AbortController()
    const started = Date.now()
    const closing = consumer.close({ timeoutMs: 60_000, signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    assert.deepEqual(await closing, { sent: 0, failed: 0, dropped: 0, pending: 1 })
    assert.ok(Date.now() - started < 10_000, 'close did not wait for its timeout')
  })
})
