/**
 * Rows of a SQLite store's file that no longer read back as a message (damaged on disk, or
 * written by something else) are set apart by the lease that meets them: deleted in its
 * transaction and handed back as `corrupt` drops, never leased, retried or counted forever, and
 * never in the way of the rows around them. Run with every SQLite driver this runtime has.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { openSqlite, type SqliteDriverName } from '../../src/internal/index.js'
import { createMessage, type Message } from '../../src/message/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import type { Lease } from '../../src/stores/index.js'
import { sqliteDrivers } from './sqlite-driver-list.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-corrupt-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const event = (id: string) =>
  createMessage('events', id, { event: 'E', properties: { $insert_id: id, secret: `s-${id}` } }, 1_000)
const LEASE = { maxCount: 100, maxBytes: 1e9, leaseMs: 60_000 }
const ids = (messages: readonly Message[]) => messages.map((m) => m.id)
const leased = (lease: Lease | undefined) => ids(lease?.items.map((item) => item.message) ?? [])
const dropped = (lease: Lease | undefined) => ids(lease?.dropped?.map((d) => d.message) ?? [])

for (const driver of await sqliteDrivers()) {
  describe(`SqliteEventStore on ${driver}: unreadable rows`, () => {
    /** A store file holding `messages`, then damaged with one `UPDATE ... SET <set>` per id. */
    async function damaged(
      name: string,
      messages: Message[],
      damage: Record<string, string>,
      options: { bufferCapacity?: number; overflow?: 'drop-oldest' } = {},
    ): Promise<{ path: string; store: SqliteEventStore }> {
      const path = join(dir, `${driver.replace(':', '-')}-${name}.db`)
      const first = await SqliteEventStore.open({ path, driver, ...options })
      await first.add(messages)
      await first.close()
      const raw = await openSqlite(path, { driver: driver as SqliteDriverName })
      for (const [id, set] of Object.entries(damage)) {
        raw.prepare(`UPDATE eventwire_messages SET ${set} WHERE id = ?`).run(id)
      }
      raw.close()
      return { path, store: await SqliteEventStore.open({ path, driver, ...options }) }
    }

    test('a lease sets them apart and removes them; the rows around them are leased', async () => {
      const messages = ['a', 'b', 'c', 'd', 'e', 'f'].map(event)
      const { path, store } = await damaged('apart', messages, {
        b: `json = '{"event":"E","properties":{'`,
        d: `json = X'00FFFE01'`,
        e: `kind = 'bogus'`,
      })
      assert.equal((await store.size()).count, 6, 'counted until a lease meets them')
      const lease = await store.lease(LEASE)
      assert.deepEqual(leased(lease), ['a', 'c', 'f'])
      assert.deepEqual(dropped(lease).sort(), ['b', 'd', 'e'])
      for (const drop of lease!.dropped!) {
        assert.equal(drop.reason, 'corrupt')
        assert.equal(drop.error.code, 'EVENTWIRE_STORE_ERROR')
        assert.equal(drop.error.retryable, false)
        assert.deepEqual(drop.message.body, {}, 'a stand-in: id, kind and time, no body')
        assert.match(drop.error.message, new RegExp(`SQLite store ${path}: removed 3 unreadable`))
        assert.match(drop.error.message, /row 2 \(id "b"\): its JSON is not valid/)
        assert.match(drop.error.message, /row 4 \(id "d"\): its JSON is not text/)
        assert.match(drop.error.message, /row 5 \(id "e"\): its kind is not an endpoint/)
        assert.doesNotMatch(drop.error.message, /properties|s-b/, 'never the content')
      }
      const bytes = messages.filter((m) => ['a', 'c', 'f'].includes(m.id)).reduce((n, m) => n + m.bytes, 0)
      const size = await store.size()
      assert.deepEqual({ count: size.count, bytes: size.bytes }, { count: 3, bytes })
      await store.ack(lease!, ['a', 'c', 'f'])
      assert.equal(await store.lease(LEASE), undefined)
      await store.close()
      const reopened = await SqliteEventStore.open({ path, driver })
      assert.deepEqual(await reopened.size().then((s) => [s.count, s.bytes]), [0, 0], 'gone from the file')
      await reopened.close()
    })

    test('a lease of unreadable rows only holds nothing; the next finds nothing', async () => {
      const { store } = await damaged('only', ['a', 'b'].map(event), {
        a: `json = '[1,2]'`,
        b: `created_at = 'yesterday'`,
      })
      const lease = await store.lease(LEASE)
      assert.deepEqual(leased(lease), [])
      assert.deepEqual(dropped(lease), ['a', 'b'])
      assert.match(
        lease!.dropped![0]!.error.message,
        /its JSON is not an object.*its creation time is not a number/,
      )
      assert.equal(await store.lease(LEASE), undefined)
      assert.equal((await store.size()).count, 0)
      await store.close()
    })

    test('rows of no known kind are set apart by the first lease, whatever kind it asks for', async () => {
      const { store } = await damaged('strays', [event('a'), event('b')], { b: `kind = 'bogus'` })
      const lease = await store.lease({ ...LEASE, kind: 'people' })
      assert.deepEqual([leased(lease), dropped(lease)], [[], ['b']])
      assert.deepEqual(leased(await store.lease(LEASE)), ['a'])
      await store.close()
    })

    test('a damaged size or attempt count does not stop a readable message', async () => {
      const { store } = await damaged('counts', [event('a')], { a: `bytes = 'many', attempts = 'few'` })
      const lease = (await store.lease(LEASE))!
      assert.deepEqual(leased(lease), ['a'])
      assert.equal(lease.dropped, undefined)
      assert.equal(lease.items[0]!.attempts, 0)
      assert.equal(lease.items[0]!.message.bytes, event('a').bytes)
      await store.release(lease, ['a'], 1)
      const again = (await store.lease(LEASE))!
      assert.equal(again.items[0]!.attempts, 1)
      await store.ack(again, ['a'])
      assert.deepEqual(await store.size().then((s) => [s.count, s.bytes]), [0, 0])
      await store.close()
    })

    test('drop-oldest evicts an unreadable row as it is (a stand-in), the add goes on', async () => {
      const options = { bufferCapacity: 2, overflow: 'drop-oldest' as const }
      const { store } = await damaged('evict', [event('a'), event('b')], { a: `created_at = 'x'` }, options)
      const result = await store.add([event('c')])
      assert.equal(result.accepted, 1)
      assert.deepEqual(ids(result.dropped), ['a'])
      assert.deepEqual(leased(await store.lease(LEASE)), ['b', 'c'])
      await store.close()
    })
  })
}
