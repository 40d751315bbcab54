import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import Database from 'better-sqlite3'
import { createMessage } from '../../src/internal/index.js'
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
  const raw = new Database(path)
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal')
  assert.deepEqual(raw.prepare('SELECT id, kind, attempts, not_before FROM eventwire_messages').all(), [
    { id: 'p-1', kind: 'people', attempts: 1, not_before: 9_000 },
  ])
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
  const raw = new Database(path)
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
