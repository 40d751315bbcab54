/**
 * Events/s through BatchConsumer with each store — memory, SQLite ('batch' and 'every'), Redis —
 * to a loopback receiver in its own process; then the raw cost of each store (add, lease, ack)
 * without HTTP. Needs `redis-server` on the PATH for the Redis rows.
 *
 *   npx tsx bench/stores.ts [events]
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Mixpanel } from '../src/client/index.js'
import { BatchConsumer } from '../src/consumers/index.js'
import { createMessage } from '../src/message/index.js'
import {
  type EventStore,
  InMemoryEventStore,
  RedisEventStore,
  SqliteEventStore,
} from '../src/stores/index.js'
import { printTable, sampleProperties, startChildReceiver } from './lib.js'

const EVENTS = Number(process.argv[2] ?? 50_000)
const CAPACITY = EVENTS * 2
const dir = mkdtempSync(join(tmpdir(), 'eventwire-bench-stores-'))

interface StoreCase {
  name: string
  open(): Promise<EventStore>
}

async function startRedis(): Promise<{ url: string; stop(): void } | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined
  const probe = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => probe.once('listening', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await new Promise<void>((resolve) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('Ready to accept connections')) resolve()
    })
  })
  child.stdout!.resume()
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}

function cases(redisUrl: string | undefined): StoreCase[] {
  let n = 0
  const list: StoreCase[] = [
    { name: 'memory', open: async () => new InMemoryEventStore({ bufferCapacity: CAPACITY }) },
    {
      name: "SQLite 'batch'",
      open: () =>
        SqliteEventStore.open({
          path: join(dir, `batch-${++n}.db`),
          durability: 'batch',
          bufferCapacity: CAPACITY,
        }),
    },
    {
      name: "SQLite 'every'",
      open: () =>
        SqliteEventStore.open({
          path: join(dir, `every-${++n}.db`),
          durability: 'every',
          bufferCapacity: CAPACITY,
        }),
    },
  ]
  if (redisUrl !== undefined) {
    list.push({
      name: 'Redis',
      open: () => RedisEventStore.open({ redis: redisUrl, stream: `bench-${++n}`, bufferCapacity: CAPACITY }),
    })
  }
  return list
}

/** Tracks EVENTS events (100 per tick, like 100 concurrent requests) and waits for delivery. */
async function throughBatchConsumer(store: EventStore, origin: string, count: () => Promise<number>) {
  const before = await count()
  const consumer = new BatchConsumer({ store, apiHost: origin, flushIntervalMs: 1000 })
  const mp = new Mixpanel('bench-token', { consumer })
  const started = performance.now()
  for (let start = 0; start < EVENTS; start += 100) {
    const calls: Promise<void>[] = []
    for (let i = start; i < start + 100 && i < EVENTS; i++)
      calls.push(mp.track(`user-${i % 1000}`, 'Bench', sampleProperties(i)))
    await Promise.all(calls)
  }
  const trackedMs = performance.now() - started
  await consumer.flush()
  const totalMs = performance.now() - started
  const delivered = (await count()) - before
  await consumer.close()
  await store.close()
  return { trackedMs, totalMs, delivered }
}

/** add (500 per call) then lease 50 + ack until empty: the store alone, no HTTP. */
async function rawStore(store: EventStore) {
  const messages = Array.from({ length: EVENTS }, (_, i) =>
    createMessage(
      'events',
      `raw-${i}`,
      { event: 'Bench', properties: { ...sampleProperties(i), at: i } } as never,
      i,
    ),
  )
  const started = performance.now()
  for (let i = 0; i < EVENTS; i += 500) await store.add(messages.slice(i, i + 500))
  const addedMs = performance.now() - started
  let leased = 0
  for (;;) {
    const lease = await store.lease({ maxCount: 50, maxBytes: 1_000_000, leaseMs: 60_000 })
    if (lease === undefined) break
    leased += lease.items.length
    await store.ack(
      lease,
      lease.items.map((item) => item.message.id),
    )
  }
  const totalMs = performance.now() - started
  await store.close()
  if (leased !== EVENTS) throw new Error(`raw: leased ${leased} of ${EVENTS}`)
  return { addedMs, totalMs }
}

const receiver = await startChildReceiver()
const redis = await startRedis()
try {
  const rows: Array<Record<string, string | number>> = []
  const rates = new Map<string, number>()
  for (const c of cases(redis?.url)) {
    const result = await throughBatchConsumer(
      await c.open(),
      receiver.origin,
      async () => (await receiver.count()).records,
    )
    if (result.delivered !== EVENTS) throw new Error(`${c.name}: delivered ${result.delivered} of ${EVENTS}`)
    const rate = Math.round((EVENTS * 1000) / result.totalMs)
    rates.set(c.name, rate)
    const raw = await rawStore(await c.open())
    rows.push({
      store: c.name,
      events: EVENTS,
      'delivered events/s': rate,
      'track() µs/call': ((result.trackedMs * 1000) / EVENTS).toFixed(1),
      'raw add/s': Math.round((EVENTS * 1000) / raw.addedMs),
      'raw add+lease+ack/s': Math.round((EVENTS * 1000) / raw.totalMs),
    })
  }
  console.log(
    `BatchConsumer (batchSize 50, 4 requests in flight) to a loopback receiver; ${EVENTS} events of 12 properties\n`,
  )
  printTable(rows)
  const memory = rates.get('memory')!
  const sqlite = rates.get("SQLite 'batch'")!
  console.log(
    `\nSQLite 'batch' delivers at ${((sqlite / memory) * 100).toFixed(0)}% of the memory store's rate (target ≥ 50%).`,
  )
  if (redis === undefined) console.log('redis-server not found: Redis rows skipped.')
} finally {
  redis?.stop()
  await receiver.stop()
  rmSync(dir, { recursive: true, force: true })
}
