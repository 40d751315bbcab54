import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BufferedConsumer, DeliveryError, Mixpanel } from '../../src/index.js'
import { createMessage, type Message } from '../../src/message/index.js'
import { createFakeClock, startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

/** A unique tag per message, whatever its endpoint: $insert_id for events, `seq` for profiles. */
function tagOf(record: Record<string, unknown>): string {
  const props = record.properties as Record<string, unknown> | undefined
  if (props) return String(props.$insert_id)
  const op = (record.$set ?? record.$set_once) as Record<string, unknown>
  return `profile-${op.seq}`
}

describe('BufferedConsumer', () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.close())

  test('1,000 messages across four endpoints, one chunk failing: each arrives exactly once after a second flush', async () => {
    receiver.reset()
    let failedOnce = false
    receiver.handle((req) => {
      if (
        !failedOnce &&
        req.path === '/engage' &&
        receiver.requests.filter((r) => r.path === '/engage').length === 2
      ) {
        failedOnce = true
        return { status: 503 }
      }
      return undefined
    })
    const consumer = new BufferedConsumer({ apiHost: receiver.origin, maxSize: 40, retryLimit: 0 })
    const mp = new Mixpanel('tok', { consumer })
    const expected = new Set<string>()
    const autoFlushErrors: unknown[] = []
    for (let i = 0; i < 1000; i++) {
      const seq = String(i)
      let call: Promise<void>
      switch (i % 4) {
        case 0:
          call = mp.track(`u${i}`, 'Event', { $insert_id: `ev-${seq}` })
          expected.add(`ev-${seq}`)
          break
        case 1:
          call = mp.import(`u${i}`, 'Old', 1_600_000_000, { $insert_id: `im-${seq}` })
          expected.add(`im-${seq}`)
          break
        case 2:
          call = mp.people.set(`u${i}`, { seq })
          expected.add(`profile-${seq}`)
          break
        default:
          call = mp.groups.setOnce('company', `c${i}`, { seq })
          expected.add(`profile-${seq}`)
      }
      await call.catch((e: unknown) => void autoFlushErrors.push(e))
    }
    assert.equal(autoFlushErrors.length, 1, 'the automatic flush that met the failing chunk rejected')
    const error = autoFlushErrors[0] as DeliveryError
    assert.ok(error instanceof DeliveryError)
    assert.equal(error.endpoint, 'people')
    assert.equal(error.status, 503)
    assert.equal(error.messages.length, 40, 'the error carries the undelivered chunk')
    assert.ok(consumer.buffered() > 0, 'the tail waits for the next flush')
    await mp.flush()
    assert.equal(consumer.buffered(), 0)
    const arrived = receiver.delivered().map((r) => tagOf(r as Record<string, unknown>))
    assert.equal(arrived.length, 1000, 'nothing delivered twice')
    assert.deepEqual(new Set(arrived), expected, 'every message delivered')
    const result = await mp.close()
    assert.deepEqual(result, { sent: 1000, failed: 0, dropped: 0, pending: 0 })
    receiver.handle(undefined)
  })

  test('concurrent send() during a slow flush loses nothing and sends nothing twice', async () => {
    receiver.reset()
    receiver.handle(() => ({ status: 200, body: { status: 1, error: null }, delayMs: 20 }))
    const consumer = new BufferedConsumer({ apiHost: receiver.origin, maxSize: 10 })
    const mp = new Mixpanel('tok', { consumer })
    const work: Promise<void>[] = []
    for (let i = 0; i < 200; i++) {
      work.push(mp.track('u', 'E', { $insert_id: `c-${i}` }))
      if (i % 25 === 0) work.push(mp.flush())
      if (i % 7 === 0) await new Promise((r) => setImmediate(r))
    }
    await Promise.all(work)
    await mp.flush()
    const ids = receiver.delivered('/track').map((r) => (r.properties as Record<string, string>).$insert_id)
    assert.equal(ids.length, 200)
    assert.equal(new Set(ids).size, 200)
    assert.ok(
      receiver.requests.every((r) => r.records.length <= 10),
      'requests never exceed maxSize',
    )
    await mp.close()
    receiver.handle(undefined)
  })

  test('messages refused for good are dropped and reported, not kept', async () => {
    receiver.reset()
    receiver.handle(() => ({ status: 400, body: { error: 'bad payload', status: 0 } }))
    const consumer = new BufferedConsumer({
      apiHost: receiver.origin,
      maxSize: 50,
      clock: createFakeClock({ autoAdvanceSleeps: true }),
    })
    const drops: Array<[string, number]> = []
    consumer.on('drop', (d) => drops.push([d.reason, d.count]))
    const mp = new Mixpanel('tok', { consumer })
    for (let i = 0; i < 5; i++) await mp.track('u', 'E')
    const error = await mp.flush().then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e as DeliveryError,
    )
    assert.equal(error.rejected.length, 5)
    assert.equal(error.messages.length, 0)
    assert.equal(consumer.buffered(), 0, 'refused messages do not poison the next flush')
    assert.deepEqual(drops, [['rejected', 5]])
    assert.equal(consumer.stats().dropped.rejected, 5)
    receiver.handle(undefined)
    await mp.flush()
    assert.equal(receiver.requests.length, 1)
    await mp.close()
  })

  test('messages whose JSON cannot be written are refused at send() and dropped as rejected; the rest is sent', async () => {
    receiver.reset()
    receiver.handle(undefined)
    const consumer = new BufferedConsumer({ apiHost: receiver.origin, maxSize: 50 })
    const drops: Array<[string, number, string | undefined]> = []
    consumer.on('drop', (d) => drops.push([d.reason, d.count, (d.error as { code?: string })?.code]))
    const good = (id: string) =>
      createMessage('events', id, { event: 'E', properties: { token: 't', $insert_id: id } }, 0)
    const throwing: Message = {
      ...good('throwing'),
      id: 'throwing',
      get json(): string {
        throw new Error('cannot serialise')
      },
    }
    const noJson = { ...good('no-json'), id: 'no-json', json: undefined } as unknown as Message
    const refused: Array<[string, string | undefined, string]> = []
    for (const m of [good('g-1'), throwing, good('g-2'), noJson, good('g-3')]) {
      await consumer.send('events', m).catch((e: unknown) => {
        const error = e as DeliveryError
        refused.push([m.id, error.code, error.message])
      })
    }
    assert.deepEqual(
      refused.map(([id, code]) => [id, code]),
      [
        ['throwing', 'EVENTWIRE_INVALID_PROPERTY'],
        ['no-json', 'EVENTWIRE_INVALID_PROPERTY'],
      ],
      'each call whose message was refused rejects',
    )
    assert.match(refused[0]![2], /could not be written: cannot serialise/)
    await consumer.flush()
    assert.deepEqual([...receiver.uniqueInsertIds()].sort(), ['g-1', 'g-2', 'g-3'])
    assert.equal(receiver.requests.length, 1, 'the writable messages went in one request')
    assert.deepEqual(drops, [
      ['rejected', 1, 'EVENTWIRE_INVALID_PROPERTY'],
      ['rejected', 1, 'EVENTWIRE_INVALID_PROPERTY'],
    ])
    assert.equal(consumer.buffered(), 0)
    await consumer.close()
  })

  test('/import failed_records: only the refused records are dropped', async () => {
    receiver.reset()
    receiver.handle((req) =>
      req.path === '/import'
        ? {
            status: 400,
            body: {
              code: 400,
              num_records_imported: 2,
              failed_records: [{ index: 2, insert_id: 'x-2', field: 'properties.time', message: 'too old' }],
            },
          }
        : undefined,
    )
    const consumer = new BufferedConsumer({ apiHost: receiver.origin })
    const mp = new Mixpanel('tok', { consumer })
    for (let i = 0; i < 3; i++) await mp.import('u', 'E', 1_600_000_000, { $insert_id: `x-${i}` })
    const error = await mp
      .flush()
      .catch((e: unknown) => e as { code: string; failedRecords: Array<{ insertId: string }> })
    assert.equal(error?.code, 'EVENTWIRE_IMPORT_FAILED_RECORDS')
    assert.deepEqual(
      error.failedRecords.map((r) => r.insertId),
      ['x-2'],
    )
    assert.equal(consumer.buffered(), 0)
    assert.deepEqual(consumer.stats().dropped.rejected, 1)
    assert.equal(consumer.stats().sent, 2)
    await mp.close()
    receiver.handle(undefined)
  })

  test('maxSize is validated', () => {
    assert.throws(() => new BufferedConsumer({ maxSize: 2001 }), {
      code: 'EVENTWIRE_INVALID_OPTION',
      option: 'maxSize',
    })
    assert.throws(() => new BufferedConsumer({ maxSize: 0 }), { option: 'maxSize' })
  })
})
