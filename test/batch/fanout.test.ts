import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer, FanoutConsumer } from '../../src/consumers/index.js'
import { FanoutError } from '../../src/errors/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { cleanup, onCleanup, sorted, startReceiver, trackMany } from './helpers.js'

describe('FanoutConsumer with two BatchConsumers (real receivers)', () => {
  afterEach(cleanup)
  test('each message reaches both; a destination that refuses everything does not stop the other', async () => {
    const good = await startReceiver()
    const bad = await startReceiver(() => ({ status: 403, body: { error: 'forbidden' } }))
    const a = new BatchConsumer({ apiHost: good.origin, batchSize: 20 })
    const b = new BatchConsumer({ apiHost: bad.origin, batchSize: 20 })
    const fanout = new FanoutConsumer([a, b])
    onCleanup(() => fanout.close({ timeoutMs: 0 }))
    const mp = new Mixpanel('fanout-token', { consumer: fanout })
    const ids = trackMany(mp, 50)
    await mp.flush()
    assert.deepEqual(sorted(good.uniqueInsertIds()), sorted(ids))
    assert.equal(
      bad.requests.reduce((n, r) => n + r.records.length, 0),
      50,
      'the other one tried them all',
    )
    assert.equal(a.stats().sent, 50)
    assert.equal(b.stats().dropped.rejected, 50)
    const result = await fanout.close()
    assert.deepEqual(
      { sent: result.sent, failed: result.failed, dropped: result.dropped, pending: result.pending },
      { sent: 50, failed: 0, dropped: 50, pending: 0 },
    )
    assert.deepEqual(result.consumers, [
      { sent: 50, failed: 0, dropped: 0, pending: 0 },
      { sent: 0, failed: 0, dropped: 50, pending: 0 },
    ])
    await good.close()
    await bad.close()
  })

  test('a generated $insert_id is the same at every destination, also one whose store keeps copies', async () => {
    const memory = await startReceiver()
    const durable = await startReceiver()
    const dir = mkdtempSync(join(tmpdir(), 'eventwire-fanout-'))
    onCleanup(async () => rmSync(dir, { recursive: true, force: true }))
    const store = await SqliteEventStore.open({ path: join(dir, 'queue.db') })
    const fanout = new FanoutConsumer([
      new BatchConsumer({ apiHost: memory.origin, batchSize: 7 }),
      new BatchConsumer({ apiHost: durable.origin, batchSize: 7, store }),
    ])
    onCleanup(() => fanout.close({ timeoutMs: 0 }))
    const mp = new Mixpanel('fanout-token', { consumer: fanout })
    for (let i = 0; i < 40; i++) void mp.track(`user-${i}`, 'Generated id', { n: i })
    await mp.flush()
    const ids = memory.uniqueInsertIds()
    assert.equal(ids.size, 40, 'forty different ids')
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.deepEqual(sorted(durable.uniqueInsertIds()), sorted(ids))
    await fanout.close()
  })

  test('a consumer that refuses a call: send() rejects with FanoutError, the others still deliver', async () => {
    const receiver = await startReceiver()
    const open = new BatchConsumer({ apiHost: receiver.origin })
    const closed = new BatchConsumer({ apiHost: receiver.origin })
    await closed.close()
    const fanout = new FanoutConsumer([open, closed])
    onCleanup(() => fanout.close({ timeoutMs: 0 }))
    const mp = new Mixpanel('fanout-token', { consumer: fanout })
    const error = await mp.track('user', 'Partial', { $insert_id: 'partial-1' }).then(
      () => undefined,
      (e: unknown) => e,
    )
    assert.ok(error instanceof FanoutError)
    assert.equal(error.code, 'EVENTWIRE_FANOUT_PARTIAL')
    assert.equal(error.accepted, 1)
    assert.deepEqual(
      error.errors.map((e) => ({ consumer: e.consumer, code: (e.error as { code?: string }).code })),
      [{ consumer: 1, code: 'EVENTWIRE_CLOSED' }],
    )
    await fanout.flush()
    assert.deepEqual([...receiver.uniqueInsertIds()], ['partial-1'])
    assert.equal(closed.stats().dropped.closed, 1)
    await fanout.close()
    await assert.rejects(mp.track('user', 'After', {}), { code: 'EVENTWIRE_CLOSED' })
    await receiver.close()
  })
})
