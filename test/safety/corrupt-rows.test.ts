/**
 * A durable store with damaged rows (SQLite) or entries (Redis) under a BatchConsumer: each
 * unreadable one is removed from the store and counted as a `corrupt` drop naming the store and
 * the row, the other messages of its batch and the rest are delivered, the process lives, and
 * `sent + dropped + pending` equals what was accepted (the messages found in the store included).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, test } from 'node:test'
import { Redis } from 'ioredis'
import type { ConsumerStats } from '../../src/consumers/index.js'
import { openSqlite } from '../../src/internal/index.js'
import { createMessage, type Message } from '../../src/message/index.js'
import { RedisEventStore } from '../../src/redis/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import type { TestReceiver } from '../../src/testing/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'
import { startRedis } from '../stores/redis-server.js'
import { runFixture } from './helpers.js'

afterEach(cleanup)
const dir = mkdtempSync(join(tmpdir(), 'eventwire-corrupt-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function events(prefix: string, from: number, count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-${from + i}`
    return createMessage(
      'events',
      id,
      { event: 'Stored', properties: { token: 't', distinct_id: 'u', $insert_id: id } },
      Date.now(),
    )
  })
}

/** A receiver that, like Mixpanel, refuses a body that is not valid JSON (400). */
function strictReceiver(): Promise<TestReceiver> {
  return startReceiver((request) =>
    request.decodeError === undefined
      ? undefined
      : { status: 400, body: { status: 0, error: 'invalid JSON' } },
  )
}

interface Outcome {
  flushed: boolean
  result: { sent: number; failed: number; dropped: number; pending: number }
  stats: ConsumerStats
  drops: Array<{ reason: string; ids: string[] }>
  dropEvents: Array<{ reason: string; count: number; code: string; message: string }>
}

async function resume(kind: 'sqlite' | 'redis', origin: string, where: string) {
  const run = await runFixture('corrupt-store.ts', [kind, origin, where])
  assert.equal(run.signal, null, `the child was not killed: ${run.stderr}`)
  assert.equal(run.code, 0, `the process lives and exits normally: ${run.stderr}`)
  const outcome = run.lines[0] as Outcome
  const { stats, result } = outcome
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0)
  assert.equal(
    stats.sent + dropped + result.pending,
    stats.accepted,
    `every message is accounted for once: ${JSON.stringify({ ...stats, pending: result.pending })}`,
  )
  return { ...outcome, stderr: run.stderr }
}

test('SQLite: unreadable rows are removed and dropped as corrupt; every other message is delivered', async () => {
  const path = join(dir, 'damaged.db')
  const store = await SqliteEventStore.open({ path, logger: false })
  await store.add(events('e', 0, 30))
  await store.close()
  // Damage five rows, spread over the batches of 10 the consumer sends.
  const raw = await openSqlite(path, { driver: store.driver })
  const damage = (set: string, id: string) =>
    raw.prepare(`UPDATE eventwire_messages SET ${set} WHERE id = ?`).run(id)
  damage(`json = '{"event":"Stored","properties":{'`, 'e-3') // cut short
  damage(`json = '[1,2,3]'`, 'e-8') // JSON, but not an object
  damage(`json = X'00FFFE0107'`, 'e-12') // bytes, not text
  damage(`created_at = 'yesterday'`, 'e-17')
  damage(`kind = 'bogus'`, 'e-25') // of no endpoint: never leased by kind
  raw.close()
  const bad = ['e-3', 'e-8', 'e-12', 'e-17', 'e-25']
  const good = events('e', 0, 30)
    .map((m) => m.id)
    .filter((id) => !bad.includes(id))

  const receiver = await strictReceiver()
  const outcome = await resume('sqlite', receiver.origin, path)

  assert.equal(outcome.flushed, true, 'the flush ends: no row stays pending')
  assert.deepEqual([...receiver.uniqueInsertIds()].sort(), good.sort())
  assert.equal(receiver.delivered().length, good.length, 'each good message delivered once')
  assert.equal(outcome.stats.accepted, 30, 'the 30 rows found in the file, the damaged ones included')
  assert.equal(outcome.stats.sent, 25)
  assert.deepEqual(
    Object.entries(outcome.stats.dropped).filter(([, n]) => n > 0),
    [['corrupt', 5]],
  )
  assert.equal(outcome.result.pending, 0)
  assert.deepEqual(outcome.drops.flatMap((d) => d.ids).sort(), [...bad].sort())
  assert.ok(outcome.drops.every((d) => d.reason === 'corrupt'))
  for (const event of outcome.dropEvents) {
    assert.equal(event.code, 'EVENTWIRE_STORE_ERROR')
    assert.ok(event.message.includes(path), `the error names the store: ${event.message}`)
  }
  // The default stderr logger names the store and the rows, never their content.
  assert.match(outcome.stderr, /corrupt/)
  assert.ok(outcome.stderr.includes(path), outcome.stderr)
  assert.match(outcome.stderr, /e-3\b/)
  assert.doesNotMatch(outcome.stderr, /\[1,2,3\]|"properties":\{/)

  // Gone from the file: reopening finds nothing to deliver.
  const reopened = await SqliteEventStore.open({ path, logger: false })
  assert.equal((await reopened.size()).count, 0)
  await reopened.close()
})

test('Redis: unreadable stream entries and retry members are removed and dropped as corrupt', async (t) => {
  const server = await startRedis()
  t.after(() => server.stop())
  const redis = new Redis(server.url)
  t.after(() => redis.quit())
  const store = await RedisEventStore.open({ redis: server.url, stream: 'damaged', logger: false })
  const tag = '{damaged}'
  // Entries written as the store writes them (ids from its shared counter), but garbled.
  const garbled = async (...fields: string[]) =>
    redis.xadd(`${tag}:events`, `0-${await redis.hincrby(`${tag}:meta`, 'seq', 1)}`, ...fields)
  await store.add(events('r', 0, 10))
  await garbled('i', 'r-bad-json', 'j', '{"event":"Stored","properties":{', 'c', '1', 'b', '31', 'a', '0')
  await store.add(events('r', 10, 10))
  await garbled('i', 'r-no-size', 'j', '{"event":"Stored"}') // no bytes, time or attempts
  await garbled('j', '{"event":"Stored"}', 'b', '18') // no id
  await store.add(events('r', 20, 10))
  // A retry waiting in the delayed set that is not in the store's format.
  await redis.zadd(`${tag}:delayed`, 1, 'garbage')
  await store.close()
  const good = events('r', 0, 30).map((m) => m.id)

  const receiver = await strictReceiver()
  const outcome = await resume('redis', receiver.origin, server.url)

  assert.equal(outcome.flushed, true, 'the flush ends: no entry stays pending')
  assert.deepEqual([...receiver.uniqueInsertIds()].sort(), good.sort())
  assert.equal(receiver.delivered().length, good.length, 'each good message delivered once')
  assert.equal(outcome.stats.accepted, 34, 'the 34 entries found in Redis, the damaged ones included')
  assert.equal(outcome.stats.sent, 30)
  assert.deepEqual(
    Object.entries(outcome.stats.dropped).filter(([, n]) => n > 0),
    [['corrupt', 4]],
  )
  const ids = outcome.drops.flatMap((d) => d.ids)
  assert.ok(ids.includes('r-bad-json') && ids.includes('r-no-size'), ids.join(' '))
  assert.ok(outcome.dropEvents.every((e) => e.code === 'EVENTWIRE_STORE_ERROR'))
  assert.match(outcome.stderr, /corrupt/)
  assert.match(outcome.stderr, /r-bad-json/)
  assert.doesNotMatch(outcome.stderr, /"properties":\{/)

  const after = await RedisEventStore.open({ redis: server.url, stream: 'damaged', logger: false })
  assert.equal((await after.size()).count, 0)
  await after.close()
})
