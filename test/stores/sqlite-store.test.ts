import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { openSqlite } from '../../src/internal/index.js'
import { createMessage } from '../../src/message/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { loadOptional } from '../../src/stores/index.js'
import { createFakeClock } from '../../src/testing/index.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('one process owns a file: a second opener gets EVENTWIRE_STORE_LOCKED until the first closes', async () => {
  const path = join(dir, 'locked.db')
  const first = await SqliteEventStore.open({ path })
  await assert.rejects(SqliteEventStore.open({ path, lockTimeoutMs: 0 }), { code: 'EVENTWIRE_STORE_LOCKED' })
  await first.close()
  const second = await SqliteEventStore.open({ path, lockTimeoutMs: 0 })
  await second.close()
})

test('leases of a SIGKILLed process are free at once when the file is opened again', async () => {
  const path = join(dir, 'holder.db')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./fixtures/sqlite-holder.ts', import.meta.url).pathname, path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  await once(child.stdout!, 'data')
  await assert.rejects(SqliteEventStore.open({ path, lockTimeoutMs: 0 }), { code: 'EVENTWIRE_STORE_LOCKED' })
  child.kill('SIGKILL')
  await once(child, 'exit')
  // The clock does not move: the hour-long leases of the dead process are released on open, not expired.
  const store = await SqliteEventStore.open({ path, clock: createFakeClock({ now: 10 }) })
  const lease = await store.lease({ maxCount: 10, maxBytes: 1e9, leaseMs: 1000 })
  assert.deepEqual(
    lease?.items.map((item) => item.message.id),
    ['held-0', 'held-1', 'held-2'],
  )
  await store.close()
})

test('the file is in WAL mode and keeps retry state across reopen', async () => {
  const path = join(dir, 'state.db')
  const clock = createFakeClock({ now: 1_000 })
  let store = await SqliteEventStore.open({ path, clock, durability: 'every' })
  await store.add([createMessage('people', 'p-1', { $distinct_id: 'u', $set: { a: 1 } }, 5)])
  const lease = (await store.lease({ maxCount: 1, maxBytes: 1e9, leaseMs: 1000 }))!
  await store.release(lease, ['p-1'], 9_000)
  await store.close()
  const raw = await openSqlite(path, { driver: store.driver })
  assert.equal(raw.pragma('journal_mode'), 'wal')
  const rows = raw.prepare('SELECT id, kind, attempts, not_before FROM eventwire_messages').all()
  assert.deepEqual(
    rows.map((row) => ({ ...(row as object) })),
    [{ id: 'p-1', kind: 'people', attempts: 1, not_before: 9_000 }],
  )
  raw.close()
  store = await SqliteEventStore.open({ path, clock })
  assert.equal(await store.lease({ maxCount: 1, maxBytes: 1e9, leaseMs: 1000 }), undefined)
  assert.equal((await store.size()).nextRetryAt, 9_000)
  await clock.advance(8_000)
  const again = (await store.lease({ maxCount: 1, maxBytes: 1e9, leaseMs: 1000 }))!
  assert.equal(again.items[0]!.attempts, 1)
  await store.close()
})

test('a file from a newer schema is refused', async () => {
  const path = join(dir, 'newer.db')
  const raw = await openSqlite(path)
  raw.exec(
    "CREATE TABLE eventwire_store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO eventwire_store_meta VALUES ('schema_version', '99')",
  )
  raw.close()
  await assert.rejects(SqliteEventStore.open({ path }), { code: 'EVENTWIRE_STORE_INCOMPATIBLE' })
})

test('options are checked at construction', () => {
  assert.throws(() => new SqliteEventStore({} as never), { code: 'EVENTWIRE_INVALID_OPTION', option: 'path' })
  assert.throws(() => new SqliteEventStore({ path: 'x.db', durability: 'always' as never }), {
    option: 'durability',
  })
  assert.throws(() => new SqliteEventStore({ path: 'x.db', bufferCapacity: 0 }), { option: 'bufferCapacity' })
  assert.throws(() => new SqliteEventStore({ path: 'x.db', overflow: 'drop' as never }), {
    option: 'overflow',
  })
})

test('a missing optional package is named in the error', async () => {
  await assert.rejects(
    loadOptional('eventwire-no-such-package', 'SqliteEventStore'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'EVENTWIRE_STORE_DEPENDENCY_MISSING')
      assert.match(error.message, /SqliteEventStore needs the optional package "eventwire-no-such-package"/)
      return true
    },
  )
})

test('a disk error rejects with EVENTWIRE_STORE_ERROR', async () => {
  await assert.rejects(SqliteEventStore.open({ path: join(dir, 'no', 'such', 'dir', 'x.db') }), {
    code: 'EVENTWIRE_STORE_ERROR',
  })
})

/** Ids of one lease, or [] when there is nothing to lease. */
async function leaseIds(store: SqliteEventStore, maxCount: number): Promise<string[]> {
  const lease = await store.lease({ maxCount, maxBytes: 1e9, leaseMs: 60_000 })
  if (lease === undefined) return []
  await store.ack(
    lease,
    lease.items.map((item) => item.message.id),
  )
  return lease.items.map((item) => item.message.id)
}

const event = (id: string, at = 0) =>
  createMessage('events', id, { event: 'E', properties: { $insert_id: id } }, at)

test('rows stored after the table emptied are leased, though SQLite gives them seqs already used', async () => {
  const store = await SqliteEventStore.open({ path: join(dir, 'reuse.db') })
  await store.add([event('a'), event('b'), event('c')])
  assert.deepEqual(await leaseIds(store, 10), ['a', 'b', 'c'])
  await store.add([event('d'), event('e')])
  assert.deepEqual(await leaseIds(store, 1), ['d'])
  assert.deepEqual(await leaseIds(store, 10), ['e'])
  await store.add([event('f')])
  assert.deepEqual(await leaseIds(store, 10), ['f'])
  assert.equal((await store.size()).count, 0)
  await store.close()
})

test('rows back from a lease and fresh rows are leased oldest first, each once', async () => {
  const clock = createFakeClock({ now: 1_000 })
  const store = await SqliteEventStore.open({ path: join(dir, 'merge.db'), clock })
  await store.add(['m1', 'm2', 'm3', 'm4', 'm5', 'm6'].map((id) => event(id)))
  const first = (await store.lease({ maxCount: 2, maxBytes: 1e9, leaseMs: 60_000 }))!
  const second = (await store.lease({ maxCount: 2, maxBytes: 1e9, leaseMs: 500 }))!
  assert.deepEqual(
    [...first.items, ...second.items].map((item) => item.message.id),
    ['m1', 'm2', 'm3', 'm4'],
  )
  await store.release(first, ['m2'], 1_000)
  await store.ack(first, ['m1'])
  // m2 is back now; m3 and m4 come back when their lease lapses.
  assert.deepEqual(await leaseIds(store, 2), ['m2', 'm5'])
  clock.advance(500)
  const size = await store.size()
  assert.deepEqual(
    { leased: size.leased, ready: size.ready, count: size.count },
    { leased: 0, ready: 3, count: 3 },
  )
  await store.ack(second, ['m3'])
  assert.equal((await store.size()).count, 3, 'an ack through a lapsed lease is ignored')
  assert.deepEqual(await leaseIds(store, 10), ['m3', 'm4', 'm6'])
  assert.equal(await store.lease({ maxCount: 10, maxBytes: 1e9, leaseMs: 1 }), undefined)
  await store.close()
})

test('leases recorded in the file by an earlier store are cleared at open', async () => {
  const path = join(dir, 'recorded.db')
  const store = await SqliteEventStore.open({ path })
  await store.add([event('r1'), event('r2')])
  await store.close()
  const raw = await openSqlite(path, { driver: store.driver })
  raw
    .prepare("UPDATE eventwire_messages SET lease_id = 'old', lease_owner = 'gone', lease_until = 9e15")
    .run()
  raw.close()
  const reopened = await SqliteEventStore.open({ path })
  assert.deepEqual(await leaseIds(reopened, 10), ['r1', 'r2'])
  await reopened.close()
})
