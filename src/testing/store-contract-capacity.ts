import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Endpoint } from '../message/index.js'
import { id, ids, leaseAll, msg, pause, range, type WithStore } from './store-contract-kit.js'

/** The contract's capacity tests: the three overflow policies, the byte bound, concurrent producers. */
export function capacityTests(withStore: WithStore): void {
  test(
    'drop-newest refuses what does not fit',
    withStore({ bufferCapacity: 3 }, async ({ store }) => {
      const result = await store.add(range(0, 5).map((i) => msg(i)))
      assert.equal(result.accepted, 3)
      assert.deepEqual(
        result.dropped.map((m) => m.id),
        [id(3), id(4)],
      )
      assert.deepEqual(ids(await leaseAll(store)), [id(0), id(1), id(2)])
    }),
  )

  test(
    'maxBufferBytes bounds the bytes held',
    withStore({ maxBufferBytes: Math.floor(msg(0).bytes * 2.5) }, async ({ store }) => {
      const result = await store.add(range(0, 3).map((i) => msg(i)))
      assert.equal(result.accepted, 2)
      assert.deepEqual(
        result.dropped.map((m) => m.id),
        [id(2)],
      )
      assert.equal((await store.size()).bytes, msg(0).bytes + msg(1).bytes)
    }),
  )

  test(
    'drop-oldest evicts the oldest waiting messages, never leased ones',
    withStore({ bufferCapacity: 3, overflow: 'drop-oldest' }, async ({ store }) => {
      const result = await store.add(range(0, 5).map((i) => msg(i)))
      assert.equal(result.accepted, 5)
      assert.deepEqual(
        result.dropped.map((m) => m.id),
        [id(0), id(1)],
      )
      const lease = (await leaseAll(store))!
      assert.deepEqual(ids(lease), [id(2), id(3), id(4)])
      const full = await store.add([msg(5)])
      assert.equal(full.accepted, 0)
      assert.deepEqual(
        full.dropped.map((m) => m.id),
        [id(5)],
      )
      assert.equal((await store.size()).count, 3)
    }),
  )

  test(
    'block waits for room, wakes on ack, and gives up when its signal aborts',
    withStore({ bufferCapacity: 2, overflow: 'block' }, async ({ store }) => {
      await store.add([msg(0), msg(1)])
      const lease = (await leaseAll(store))!
      let settled = false
      const waiting = store.add([msg(2)]).finally(() => {
        settled = true
      })
      await pause(50)
      assert.equal(settled, false, 'add() returned while the store was full')
      await store.ack(lease, [id(0)])
      assert.deepEqual(await waiting, { accepted: 1, dropped: [] })
      const controller = new AbortController()
      const aborted = store.add([msg(3)], controller.signal)
      await pause(30)
      const reason = new Error('gave up')
      controller.abort(reason)
      await assert.rejects(aborted, (error) => error === reason)
      const size = await store.size()
      assert.equal(size.count, 2)
      const rest = await leaseAll(store)
      assert.deepEqual(ids(rest), [id(2)])
    }),
  )

  test(
    'concurrent producers lose and duplicate nothing',
    withStore({}, async ({ store }) => {
      const kinds: Endpoint[] = ['events', 'people', 'groups', 'imports']
      const batches = range(0, 20).map((p) => range(0, 25).map((i) => msg(p * 25 + i, kinds[(p + i) % 4])))
      const results = await Promise.all(batches.map((batch) => store.add(batch)))
      assert.equal(
        results.reduce((sum, r) => sum + r.accepted, 0),
        500,
      )
      const size = await store.size()
      assert.equal(size.count, 500)
      assert.equal(
        size.bytes,
        batches.flat().reduce((sum, m) => sum + m.bytes, 0),
      )
      const seen: string[] = []
      for (let lease = await leaseAll(store, 64); lease; lease = await leaseAll(store, 64)) {
        seen.push(...ids(lease))
        await store.ack(lease, ids(lease))
      }
      assert.equal(seen.length, 500)
      assert.deepEqual(new Set(seen), new Set(batches.flat().map((m) => m.id)))
      assert.equal((await store.size()).count, 0)
    }),
  )
}
