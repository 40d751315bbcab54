import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { ConfigError, EventwireError } from '../errors/index.js'
import { createMessage } from '../message/index.js'
import { InMemoryEventStore } from '../stores/index.js'
import { BATCH_DEFAULTS } from './batch-options.js'
import { type EngineSettings, resolveEngineSettings } from './engine-settings.js'
import { Ledger } from './ledger.js'

const opened: EngineSettings[] = []
after(() => Promise.all(opened.map((o) => o.parts.transport.close())))

function resolve(options: Record<string, unknown> = {}): EngineSettings {
  const settings = resolveEngineSettings('background', options as never, BATCH_DEFAULTS)
  opened.push(settings)
  return settings
}

describe('resolveEngineSettings (BatchConsumer defaults)', () => {
  test('fills in the documented defaults and a memory store bounded by bytes', () => {
    const o = resolve()
    assert.equal(o.batchSize, BATCH_DEFAULTS.batchSize)
    assert.equal(o.batchSize, 50)
    assert.equal(o.maxBatchSize, 2000)
    assert.equal(o.byteLimit, 2 * 1024 * 1024 - 64 * 1024)
    assert.equal(o.flushIntervalMs, 10_000)
    assert.equal(o.maxConcurrentRequests, 4)
    assert.equal(o.retryLimit, 20)
    assert.equal(o.parts.policy.retryLimit, 20, 'the one retry policy gets the batch default')
    assert.equal(o.retryBudgetMs, 600_000)
    assert.equal(o.startOnInit, true)
    assert.equal(o.exitTimeoutMs, 10_000)
    assert.ok(o.store instanceof InMemoryEventStore)
    assert.equal(o.ownsStore, true)
    assert.deepEqual(o.capacity, { count: 10_000_000, bytes: 64 * 1024 * 1024 })
    // A JSON array: `[`, `]` and a comma per message after the first.
    assert.equal(o.maxMessageBytes, o.byteLimit - 2)
    assert.equal(o.leaseBytesFor(50), o.byteLimit - 51)
  })

  test('builds the memory store from bufferCapacity, maxBufferBytes and overflow', () => {
    const o = resolve({ bufferCapacity: 7, maxBufferBytes: 5000, overflow: 'drop-oldest' })
    const store = o.store as InMemoryEventStore
    assert.equal(store.bufferCapacity, 7)
    assert.equal(store.maxBufferBytes, 5000)
    assert.equal(store.overflow, 'drop-oldest')
  })

  test('a store passed in is used, not owned', () => {
    const store = new InMemoryEventStore({ bufferCapacity: 3 })
    const o = resolve({ store })
    assert.equal(o.store, store)
    assert.equal(o.ownsStore, false)
    assert.deepEqual(o.capacity, { count: 3, bytes: store.maxBufferBytes })
  })

  test('bad options fail at construction, naming the option', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 2001 }, 'batchSize'],
      [{ batchSize: 1.5 }, 'batchSize'],
      [{ byteLimit: 3 * 1024 * 1024 }, 'byteLimit'],
      [{ flushIntervalMs: -1 }, 'flushIntervalMs'],
      [{ maxConcurrentRequests: 0 }, 'maxConcurrentRequests'],
      [{ retryLimit: -1 }, 'retryLimit'],
      [{ retryBudgetMs: 'soon' }, 'retryBudgetMs'],
      [{ startOnInit: 'yes' }, 'startOnInit'],
      [{ exitTimeoutMs: -5 }, 'exitTimeoutMs'],
      [{ onDrop: 'log' }, 'onDrop'],
      [{ store: { add() {} } }, 'store'],
      [{ overflow: 'explode' }, 'overflow'],
    ]
    for (const [options, name] of bad) {
      assert.throws(
        () => resolve(options),
        (e: unknown) => e instanceof ConfigError && e.option === name,
        name,
      )
    }
  })

  test('a callback that throws is logged, not propagated', () => {
    const logged: string[] = []
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: unknown, m: string) => logged.push(m) }
    const ledger = new Ledger('mixpanel', logger, {
      onDrop: () => {
        throw new Error('boom')
      },
    })
    const message = createMessage('events', 'm-1', { event: 'E', properties: {} }, 0)
    ledger.accept(message)
    ledger.dropped([message], 'queue_full', new EventwireError('EVENTWIRE_QUEUE_FULL', 'full'))
    assert.deepEqual(logged, ['eventwire: a callback threw'])
    assert.equal(ledger.stats().dropped.queue_full, 1, 'the drop is still counted')
  })
})
