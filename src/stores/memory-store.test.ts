import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createMessage, type Endpoint, type Message, messageFromJson } from '../internal/index.js'
import { InMemoryEventStore } from './memory-store.js'

const SLAB = 256 * 1024

function event(id: string, text: string): Message {
  return createMessage('events', id, { event: 'E', properties: { $insert_id: id, text } }, 1_700_000_000_000)
}

/** Leases and acknowledges everything of `kind`, returning the messages in lease order. */
async function drain(store: InMemoryEventStore, kind: Endpoint): Promise<Message[]> {
  const out: Message[] = []
  for (;;) {
    const lease = await store.lease({ maxCount: 50, maxBytes: 5_000_000, leaseMs: 60_000, kind })
    if (lease === undefined) return out
    out.push(...lease.items.map((i) => i.message))
    await store.ack(
      lease,
      lease.items.map((i) => i.message.id),
    )
  }
}

describe('InMemoryEventStore slabs', () => {
  test('JSON kept outside the heap comes back identical, across slab boundaries and kinds', async () => {
    const store = new InMemoryEventStore({ bufferCapacity: 10_000 })
    const sent: Message[] = []
    for (let i = 0; i < 1500; i++) sent.push(event(`e-${i}`, `${'é∂'.repeat(i % 200)} 名前 ${i}`))
    const huge = event('huge', 'x'.repeat(SLAB + 10_000))
    const people = createMessage('people', 'p-1', { $distinct_id: 'u', $set: { a: '☃' } }, 5)
    await store.add([...sent.slice(0, 700), huge, people, ...sent.slice(700)])
    assert.ok(store.slabBytes > 3 * SLAB, 'several slabs, one of them for the large message')
    const back = await drain(store, 'events')
    const expected = [...sent.slice(0, 700), huge, ...sent.slice(700)]
    assert.deepEqual(
      back.map((m) => [m.id, m.kind, m.json, m.bytes, m.createdAt]),
      expected.map((m) => [m.id, m.kind, m.json, m.bytes, m.createdAt]),
    )
    const [person] = await drain(store, 'people')
    assert.deepEqual(person!.body, people.body)
    assert.equal((await store.size()).count, 0)
  })

  test('slabs are reused once their messages are leased: memory stays flat however much passes', async () => {
    const store = new InMemoryEventStore({ bufferCapacity: 10_000 })
    const text = 'y'.repeat(500)
    let held = 0
    for (let round = 0; round < 20; round++) {
      // ~1.5 MB per round, 30 MB in all.
      const batch = Array.from({ length: 3000 }, (_, i) => event(`r${round}-${i}`, text))
      await store.add(batch)
      held = Math.max(held, store.slabBytes)
      const back = await drain(store, 'events')
      assert.equal(back.length, 3000)
      assert.equal(back[2999]!.id, `r${round}-2999`)
    }
    // One round's worth (~6 slabs) plus spares, not 30 MB.
    assert.ok(held <= 8 * SLAB, `held ${held} bytes`)
    assert.ok(store.slabBytes <= 5 * SLAB, `${store.slabBytes} bytes kept between rounds`)
  })

  test('a message whose bytes do not match its JSON is kept as it came', async () => {
    const store = new InMemoryEventStore()
    const real = event('odd-1', 'ünïcödé')
    const odd = messageFromJson('events', 'odd-1', real.json, 7, real.json.length)
    assert.notEqual(odd.bytes, Buffer.byteLength(odd.json))
    await store.add([odd, event('ok-1', 'plain')])
    const back = await drain(store, 'events')
    assert.equal(back[0], odd)
    assert.equal(back[1]!.json, event('ok-1', 'plain').json)
  })

  test('an understated bytes is caught also when the JSON would just fill the slab', async () => {
    const store = new InMemoryEventStore()
    // A first message that leaves exactly 10 bytes of the slab free.
    const filler = messageFromJson('events', 'f', `"${'x'.repeat(SLAB - 10 - 1 - 2)}"`, 0)
    assert.equal(filler.bytes + 1, SLAB - 10)
    // 12 bytes of JSON claiming 10, with an empty id: cut after 10 bytes, it would fit exactly.
    const json = '{"a":"éé"}'
    const odd = messageFromJson('events', '', json, 0, 10)
    assert.equal(Buffer.byteLength(json), 12)
    await store.add([filler, odd])
    const back = await drain(store, 'events')
    assert.deepEqual(
      back.map((m) => m.json),
      [filler.json, json],
    )
  })

  test('messages retried or evicted are whole', async () => {
    const store = new InMemoryEventStore({ bufferCapacity: 2, overflow: 'drop-oldest' })
    const [a, b, c] = [event('a', '1'), event('b', '2'), event('c', '3')]
    await store.add([a, b])
    const lease = (await store.lease({ maxCount: 1, maxBytes: 1e6, leaseMs: 60_000 }))!
    await store.release(lease, ['a'], 0)
    const result = await store.add([c])
    assert.deepEqual(
      result.dropped.map((m) => m.json),
      [a.json],
      'the oldest waiting message is evicted, read back from where it waited',
    )
    const back = await drain(store, 'events')
    assert.deepEqual(
      back.map((m) => m.json),
      [b.json, c.json],
    )
  })

  test('waiting rows wrap around and grow, and messages back from a lease go first, in arrival order', async () => {
    const store = new InMemoryEventStore({ bufferCapacity: 10_000 })
    const first = Array.from({ length: 200 }, (_, i) => event(`a-${i}`, 'x'))
    await store.add(first)
    const early = (await store.lease({ maxCount: 150, maxBytes: 1e9, leaseMs: 60_000, kind: 'events' }))!
    // The first ten go back; the rest are acknowledged.
    await store.release(
      early,
      early.items.slice(0, 10).map((i) => i.message.id),
      0,
    )
    await store.ack(
      early,
      early.items.slice(10).map((i) => i.message.id),
    )
    // Wraps past the ring's end and makes it grow while rows are still waiting at its start.
    const second = Array.from({ length: 400 }, (_, i) => event(`b-${i}`, 'y'))
    await store.add(second)
    const unicode = createMessage('events', 'ïd-☃-1', { event: 'E', properties: { $insert_id: 'x' } }, 9)
    await store.add([unicode])
    const back = await drain(store, 'events')
    assert.deepEqual(
      back.map((m) => m.id),
      [...first.slice(0, 10), ...first.slice(150), ...second, unicode].map((m) => m.id),
    )
    assert.equal(back[back.length - 1]!.createdAt, 9)
    assert.equal((await store.size()).count, 0)
  })
})
