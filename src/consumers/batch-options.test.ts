import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError } from '../errors/index.js'
import { InMemoryEventStore } from '../stores/index.js'
import { BATCH_DEFAULTS, resolveBatchOptions } from './batch-options.js'

describe('resolveBatchOptions', () => {
  test('fills in the documented defaults and a memory store', () => {
    const o = resolveBatchOptions()
    assert.equal(o.batchSize, BATCH_DEFAULTS.batchSize)
    assert.equal(o.batchSize, 50)
    assert.equal(o.byteLimit, 2 * 1024 * 1024 - 64 * 1024)
    assert.equal(o.flushIntervalMs, 10_000)
    assert.equal(o.maxConcurrentRequests, 4)
    assert.equal(o.retryLimit, 20)
    assert.equal(o.parts.policy.retryLimit, 20, 'the one retry policy gets the batch default')
    assert.equal(o.retryBudgetMs, 600_000)
    assert.equal(o.startOnInit, true)
    assert.ok(o.store instanceof InMemoryEventStore)
    assert.equal(o.ownsStore, true)
    assert.deepEqual(o.capacity, { count: 10_000, bytes: 64 * 1024 * 1024 })
    assert.ok(o.leaseBytes < o.byteLimit && o.maxMessageBytes === o.byteLimit - 2)
  })

  test('builds the memory store from bufferCapacity, maxBufferBytes and overflow', () => {
    const o = resolveBatchOptions({ bufferCapacity: 7, maxBufferBytes: 5000, overflow: 'drop-oldest' })
    const store = o.store as InMemoryEventStore
    assert.equal(store.bufferCapacity, 7)
    assert.equal(store.maxBufferBytes, 5000)
    assert.equal(store.overflow, 'drop-oldest')
  })

  test('a store passed in is used, not owned', () => {
    const store = new InMemoryEventStore({ bufferCapacity: 3 })
    const o = resolveBatchOptions({ store })
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
      [{ onDrop: 'log' }, 'onDrop'],
      [{ store: { add() {} } }, 'store'],
      [{ overflow: 'explode' }, 'overflow'],
    ]
    for (const [options, name] of bad) {
      assert.throws(
        () => resolveBatchOptions(options as never),
        (e: unknown) => e instanceof ConfigError && e.option === name,
        name,
      )
    }
  })

  test('a callback that throws is logged, not propagated', () => {
    const logged: string[] = []
    const logger = { debug() {}, info() {}, warn() {}, error: (_f: unknown, m: string) => logged.push(m) }
    const o = resolveBatchOptions({
      logger,
      onDrop: () => {
        throw new Error('boom')
      },
    })
    o.onDrop?.([], 'queue_full')
    assert.equal(logged.length, 1)
  })
})
