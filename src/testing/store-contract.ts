import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import { type Clock, checkOptions, optionList, systemClock } from '../internal/index.js'
import { createMessage, type Message } from '../message/index.js'
import type { EventStore, StoreCapacityOptions } from '../stores/index.js'
import { createFakeClock, type FakeClock } from './fake-clock.js'
import { capacityTests } from './store-contract-capacity.js'
import {
  type Harness,
  id,
  ids,
  leaseAll,
  leaseFor,
  msg,
  range,
  take,
  type WithStore,
} from './store-contract-kit.js'

/** What the contract suite hands to `create` and `reopen` for one test. */
export interface StoreContractContext {
  /** The clock the store must use: a fake clock the suite moves, or the system clock (`time: 'real'`). */
  readonly clock: Clock
  /** Capacity options this test needs; pass them to the store. */
  readonly capacity: StoreCapacityOptions
  /** A name unique to this test (use it for a file name or a Redis stream); `reopen` gets the same. */
  readonly key: string
}

/** Options of {@link runStoreContract}. */
export interface StoreContractOptions {
  /** Suite name, e.g. `'SqliteEventStore'`. */
  name: string
  /** Builds a new, empty store for one test. */
  create: (context: StoreContractContext) => Promise<EventStore> | EventStore
  /**
   * Opens the store again on the data of `create` after it was closed. When given, the suite checks
   * that unacknowledged messages survive close and reopen (durable stores).
   */
  reopen?: (context: StoreContractContext) => Promise<EventStore> | EventStore
  /**
   * `'fake'`: the store takes `context.clock` and the suite moves it. `'real'`: the store keeps
   * real time (for example lease expiry measured by a server) and the suite waits for real, with
   * leases of `realLeaseMs`.
   * @default 'fake'
   */
  time?: 'fake' | 'real'
  /** Lease duration of the expiry tests in `'real'` mode, in milliseconds. @default 200 */
  realLeaseMs?: number
}

/** Defaults of {@link StoreContractOptions}. */
export const STORE_CONTRACT_DEFAULTS = { time: 'fake', realLeaseMs: 200 } as const

/** The names of {@link StoreContractOptions}. */
const STORE_CONTRACT_OPTIONS = optionList<StoreContractOptions>()({
  name: true,
  create: true,
  reopen: true,
  time: true,
  realLeaseMs: true,
})

/**
 * Registers one `node:test` suite that every {@link EventStore} must pass: FIFO order, lease count
 * and byte limits, one kind per lease, ack, release with `notBefore`, lease expiry, the three
 * overflow policies, concurrent producers, `size()`, exact round-trips, close, and (with
 * `reopen`) durability across close and reopen. Run it from a test file:
 *
 * ```ts
 * runStoreContract({ name: 'MyStore', create: ({ clock, capacity }) => new MyStore({ clock, ...capacity }) })
 * ```
 */
export function runStoreContract(options: StoreContractOptions): void {
  checkOptions(options, STORE_CONTRACT_OPTIONS, 'runStoreContract', { required: true })
  const real = (options.time ?? STORE_CONTRACT_DEFAULTS.time) === 'real'
  const leaseMs = real ? (options.realLeaseMs ?? STORE_CONTRACT_DEFAULTS.realLeaseMs) : 1000
  let counter = 0

  /** Runs one test with a fresh context; closes every store it opened. */
  const withStore: WithStore = (capacity, body) => async (): Promise<void> => {
    const clock: Clock | FakeClock = real ? systemClock : createFakeClock()
    const key = `contract-${++counter}-${randomUUID().slice(0, 8)}`
    const context: StoreContractContext = { clock, capacity, key }
    const opened: EventStore[] = []
    const open = async (how: 'create' | 'reopen') => {
      const store = await (how === 'create' ? options.create(context) : options.reopen!(context))
      opened.push(store)
      return store
    }
    const harness: Harness = {
      store: await open('create'),
      clock,
      reopen: () => open('reopen'),
      advance: async (ms) => {
        if (!real) await (clock as FakeClock).advance(ms)
        else await new Promise((resolve) => setTimeout(resolve, ms))
      },
    }
    try {
      await body(harness)
    } finally {
      for (const store of opened) await store.close()
    }
  }

  describe(`EventStore contract: ${options.name}`, () => {
    test(
      'leases messages of a kind in the order they were added',
      withStore({}, async ({ store }) => {
        for (let i = 0; i < 10; i++) await store.add([msg(i)])
        await store.add(range(10, 20).map((i) => msg(i)))
        const lease = await leaseAll(store)
        assert.deepEqual(ids(lease), range(0, 20).map(id))
      }),
    )

    test(
      'keeps messages that share an id apart: each is stored, leased and acknowledged',
      withStore({}, async ({ store }) => {
        const twice = [msg(1), msg(1), msg(2)]
        const added = await store.add(twice)
        assert.equal(added.accepted, 3, 'a repeated id is stored, not silently discarded')
        assert.equal((await store.size()).count, 3)
        const lease = await leaseAll(store)
        assert.deepEqual(ids(lease), [id(1), id(1), id(2)])
        await store.ack(lease!, [id(1), id(2)])
        assert.equal((await store.size()).count, 0)
      }),
    )

    test(
      'leases one kind at a time, the kind of the oldest message by default',
      withStore({}, async ({ store }) => {
        await store.add([msg(0, 'people'), msg(1), msg(2), msg(3, 'people'), msg(4, 'groups')])
        const first = await leaseAll(store)
        assert.equal(first?.kind, 'people')
        assert.deepEqual(ids(first), [id(0), id(3)])
        const groups = await take(store, { maxCount: 100, kind: 'groups' })
        assert.deepEqual(ids(groups), [id(4)])
        const rest = await leaseAll(store)
        assert.equal(rest?.kind, 'events')
        assert.deepEqual(ids(rest), [id(1), id(2)])
        assert.equal(await leaseAll(store), undefined)
      }),
    )

    test(
      'respects maxCount and maxBytes, and leases one oversized message alone',
      withStore({}, async ({ store }) => {
        const messages = range(0, 10).map((i) => msg(i))
        await store.add(messages)
        const size = messages[0]!.bytes
        const byCount = await take(store, { maxCount: 3 })
        assert.deepEqual(ids(byCount), [id(0), id(1), id(2)])
        const byBytes = await take(store, { maxCount: 100, maxBytes: Math.floor(size * 2.5) })
        assert.deepEqual(ids(byBytes), [id(3), id(4)])
        const oversized = await take(store, { maxCount: 100, maxBytes: 1 })
        assert.deepEqual(ids(oversized), [id(5)])
      }),
    )

    test(
      'ack removes messages for good',
      withStore({}, async ({ store }) => {
        const messages = range(0, 5).map((i) => msg(i))
        await store.add(messages)
        const lease = (await leaseAll(store))!
        await store.ack(lease, [id(0), id(1), id(2)])
        let size = await store.size()
        assert.equal(size.count, 2)
        assert.equal(size.bytes, messages[3]!.bytes + messages[4]!.bytes)
        await store.ack(lease, [id(3), id(4)])
        size = await store.size()
        assert.equal(size.count, 0)
        assert.equal(size.bytes, 0)
        assert.equal(await leaseAll(store), undefined)
      }),
    )

    test(
      'release holds a message back until notBefore and counts the attempt',
      withStore({}, async (h) => {
        const { store, clock } = h
        await store.add([msg(0), msg(1)])
        const lease = (await leaseAll(store))!
        assert.deepEqual(
          lease.items.map((item) => item.attempts),
          [0, 0],
        )
        const delayMs = real ? 400 : 5000
        const notBefore = clock.now() + delayMs
        await store.release(lease, [id(0)], notBefore)
        await store.ack(lease, [id(1)])
        assert.equal(await leaseAll(store), undefined, 'leased before notBefore')
        const size = await store.size()
        assert.equal(size.count, 1)
        assert.equal(size.leased, 0)
        assert.equal(size.nextRetryAt, notBefore)
        await h.advance(delayMs + (real ? 100 : 1))
        const again = (await leaseAll(store))!
        assert.deepEqual(ids(again), [id(0)])
        assert.equal(again.items[0]!.attempts, 1)
        await store.release(again, [id(0)], clock.now())
        const third = (await leaseAll(store))!
        assert.deepEqual(ids(third), [id(0)])
        assert.equal(third.items[0]!.attempts, 2)
      }),
    )

    test(
      'a lapsed lease gives its messages back; acks through it are ignored',
      withStore({}, async (h) => {
        const { store } = h
        await store.add([msg(0), msg(1), msg(2)])
        const first = (await take(store, { maxCount: 100, leaseMs }))!
        assert.equal(first.items.length, 3)
        // Every lease here has the same duration: a shared store may judge expiry by the taker's.
        assert.equal(await leaseFor(store, leaseMs), undefined, 'leased while the lease holds')
        await h.advance(leaseMs + (real ? 150 : 1))
        const second = (await leaseFor(store, leaseMs))!
        assert.deepEqual(ids(second).sort(), [id(0), id(1), id(2)])
        await store.ack(first, [id(0), id(1), id(2)])
        assert.equal((await store.size()).count, 3)
        await store.ack(second, [id(0), id(1), id(2)])
        assert.equal((await store.size()).count, 0)
      }),
    )

    capacityTests(withStore)

    test(
      'size() reports count, bytes, leased, ready and times',
      withStore({}, async ({ store, clock }) => {
        const messages = range(0, 4).map((i) => msg(i, 'events', 1_000 * (i + 1)))
        await store.add(messages)
        let size = await store.size()
        assert.deepEqual(
          { ...size },
          {
            count: 4,
            bytes: messages.reduce((sum, m) => sum + m.bytes, 0),
            leased: 0,
            ready: 4,
            oldestReadyAt: 1_000,
            nextRetryAt: undefined,
          },
        )
        const lease = (await take(store, { maxCount: 2 }))!
        size = await store.size()
        assert.equal(size.leased, 2)
        assert.equal(size.ready, 2)
        assert.equal(size.oldestReadyAt, 3_000)
        const notBefore = clock.now() + 60_000
        await store.release(lease, [id(0)], notBefore)
        await store.ack(lease, [id(1)])
        size = await store.size()
        assert.equal(size.count, 3)
        assert.equal(size.leased, 0)
        assert.equal(size.ready, 2)
        assert.equal(size.nextRetryAt, notBefore)
      }),
    )

    test(
      'messages round-trip exactly',
      withStore({}, async ({ store }) => {
        const body = {
          event: 'Ünïcödé 🚀 "quoted" \\ back',
          properties: {
            $insert_id: 'rt-1',
            nested: { list: [1, 2.5, null, true, 'ß'] },
            empty: {},
            big: 2 ** 52,
          },
        }
        const messages = [
          createMessage('events', 'rt-1', body, 1_712_345_678_901),
          createMessage('people', 'rt-2', { $distinct_id: 'u1', $set: { name: '名前' } }, 1),
        ]
        await store.add(messages)
        const events = (await take(store, { maxCount: 10, kind: 'events' }))!
        const people = (await take(store, { maxCount: 10, kind: 'people' }))!
        assert.deepEqual(events.items[0]!.message, messages[0])
        assert.deepEqual(people.items[0]!.message, messages[1])
      }),
    )

    test(
      'close is idempotent; add after close rejects with EVENTWIRE_CLOSED',
      withStore({}, async ({ store }) => {
        await store.close()
        await store.close()
        await assert.rejects(store.add([msg(0)]), { code: 'EVENTWIRE_CLOSED' })
      }),
    )

    if (options.reopen !== undefined) {
      test(
        'unacknowledged messages survive close and reopen',
        withStore({}, async (h) => {
          const messages = range(0, 6).map((i) => msg(i))
          await h.store.add(messages)
          const a = (await take(h.store, { maxCount: 2, leaseMs }))!
          await h.store.ack(a, [id(0)])
          await h.store.release(a, [id(1)], h.clock.now())
          await take(h.store, { maxCount: 2, leaseMs })
          await h.store.close()
          const store = await h.reopen()
          assert.equal((await store.size()).count, 5)
          const found = new Map<string, { message: Message; attempts: number }>()
          for (let round = 0; round < 3 && found.size < 5; round++) {
            for (let lease = await leaseFor(store, leaseMs); lease; lease = await leaseFor(store, leaseMs)) {
              for (const item of lease.items) found.set(item.message.id, item)
            }
            if (found.size < 5) await h.advance(leaseMs + (real ? 150 : 1))
          }
          assert.deepEqual([...found.keys()].sort(), range(1, 6).map(id))
          for (const m of messages.slice(1)) assert.deepEqual(found.get(m.id)!.message, m)
          assert.equal(found.get(id(1))!.attempts, 1)
        }),
      )
    }
  })
}
