/**
 * Entries of a Redis store that no longer read back as a message (garbled, or written by
 * something else) are set apart by the lease that meets them: deleted and handed back as
 * `corrupt` drops, never failing every lease after them, never leased or counted forever.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { Redis } from 'ioredis'
import { createMessage, type Message } from '../../src/message/index.js'
import { RedisEventStore, type RedisEventStoreOptions } from '../../src/redis/index.js'
import type { Lease } from '../../src/stores/index.js'
import { type RedisServer, startRedis } from './redis-server.js'

let server: RedisServer
let redis: Redis
/** Stores opened by the tests, closed before the server stops (also when a test failed). */
const stores: RedisEventStore[] = []

before(async () => {
  server = await startRedis()
  redis = new Redis(server.url)
})
after(async () => {
  for (const store of stores) await store.close()
  await redis.quit()
  await server.stop()
})

const event = (id: string, createdAt = 1_000) =>
  createMessage('events', id, { event: 'E', properties: { $insert_id: id, secret: `s-${id}` } }, createdAt)
const LEASE = { maxCount: 100, maxBytes: 1e9, leaseMs: 60_000 }
const ids = (messages: readonly Message[]) => messages.map((m) => m.id)
const leased = (lease: Lease | undefined) => ids(lease?.items.map((item) => item.message) ?? [])
const dropped = (lease: Lease | undefined) => ids(lease?.dropped?.map((d) => d.message) ?? [])

async function open(options: Omit<RedisEventStoreOptions, 'redis'>): Promise<RedisEventStore> {
  const store = await RedisEventStore.open({ redis: server.url, ...options })
  stores.push(store)
  return store
}

/** Writes an entry into a store's events stream as the store writes them (the next id), with `fields`. */
async function garble(stream: string, ...fields: string[]): Promise<void> {
  const seq = await redis.hincrby(`{${stream}}:meta`, 'seq', 1)
  await redis.xadd(`{${stream}}:events`, `0-${seq}`, ...fields)
}

test('a lease sets garbled entries apart and removes them; the entries around them are leased', async () => {
  const store = await open({ stream: 'apart' })
  await store.add([event('a')])
  await garble('apart', 'i', 'b', 'j', '{"event":"E","properties":{', 'c', '1', 'b', '27', 'a', '0')
  await garble('apart', 'i', 'c', 'j', '{"event":"E"}') // no size, time or attempts: broke every lease
  await garble('apart', 'j', '{"event":"E"}', 'b', '13') // no id
  await store.add([event('d')])
  const lease = await store.lease(LEASE)
  assert.deepEqual(leased(lease), ['a', 'd'])
  assert.equal(lease!.dropped!.length, 3)
  assert.deepEqual(dropped(lease).slice(0, 2), ['b', 'c'])
  const error = lease!.dropped![0]!.error
  assert.ok(lease!.dropped!.every((d) => d.reason === 'corrupt' && d.error === error))
  assert.equal(error.code, 'EVENTWIRE_STORE_ERROR')
  assert.equal(error.retryable, false)
  assert.match(error.message, /Redis store redis:\/\/127\.0\.0\.1:\d+, stream apart: removed 3 unreadable/)
  assert.match(error.message, /entry 0-2 of \{apart\}:events \(id "b"\): its JSON is not valid/)
  assert.match(error.message, /entry 0-3 of \{apart\}:events \(id "c"\): its creation time is not a number/)
  assert.match(error.message, /entry 0-4 of \{apart\}:events: it has no id/)
  assert.doesNotMatch(error.message, /properties/)
  assert.equal((await store.size()).count, 2)
  await store.ack(lease!, ['a', 'd'])
  const size = await store.size()
  assert.deepEqual(
    [size.count, size.bytes],
    [0, 0],
    'an empty store holds 0 bytes, whatever the garbled sizes',
  )
  assert.equal(await store.lease(LEASE), undefined)
})

test('a retry not in the store format is set apart, not failing every lease', async () => {
  const store = await open({ stream: 'retries' })
  await store.add([event('a')])
  await redis.zadd('{retries}:delayed', 1, 'garbage', 2, '9,1,1000,13,0-9,1:x{}')
  const lease = await store.lease(LEASE)
  assert.deepEqual(leased(lease), ['a'])
  assert.equal(lease!.dropped!.length, 2)
  assert.match(lease!.dropped![0]!.error.message, /it holds no message/)
  await store.ack(lease!, ['a'])
  assert.equal((await store.size()).count, 0)
})

test('a message with a fractional creation time goes through a retry', async () => {
  const store = await open({ stream: 'fraction' })
  await store.add([event('a', 1_000.5)])
  const first = (await store.lease(LEASE))!
  await store.release(first, ['a'], 1)
  const again = await store.lease(LEASE)
  assert.deepEqual([leased(again), again?.items[0]?.attempts], [['a'], 1])
  assert.equal(again!.items[0]!.message.createdAt, 1_000.5)
})

test('drop-oldest evicts a garbled entry as it is (a stand-in), the add goes on', async () => {
  const store = await open({
    stream: 'evict',
    bufferCapacity: 2,
    overflow: 'drop-oldest',
  })
  await garble('evict', 'i', 'g', 'j', 'not json')
  await store.add([event('a')])
  const result = await store.add([event('b')])
  assert.equal(result.accepted, 1)
  assert.deepEqual(ids(result.dropped), ['g'])
  assert.deepEqual(leased(await store.lease(LEASE)), ['a', 'b'])
})
