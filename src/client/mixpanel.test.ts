import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConfigError, EventwireError, ValidationError } from '../errors/index.js'
import { createFakeClock, createTestConsumer } from '../testing/index.js'
import type { ClientWarning } from './message-builder.js'
import { Mixpanel } from './mixpanel.js'

function client(options: { onWarning?: (w: ClientWarning) => void } = {}) {
  const consumer = createTestConsumer()
  const mp = new Mixpanel('tok', { consumer, clock: createFakeClock({ now: 1_700_000_000_000 }), ...options })
  return { mp, consumer }
}

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  )
  assert.ok(error instanceof ValidationError, String(error))
  return error
}

describe('Mixpanel client', () => {
  test('requires a token', () => {
    assert.throws(() => new Mixpanel(''), { code: 'EVENTWIRE_INVALID_OPTION' })
  })

  test('caller properties override defaults, but not token, distinct_id, time or $insert_id', async () => {
    const { mp, consumer } = client()
    await mp.track('u1', 'E', {
      token: 'other',
      distinct_id: 'other',
      mp_lib: 'custom',
      time: 1_600_000_000,
      $insert_id: 'abc-1',
    })
    const props = consumer.for('events')[0]!.properties as Record<string, unknown>
    assert.equal(props.token, 'tok')
    assert.equal(props.distinct_id, 'u1')
    assert.equal(props.time, 1_600_000_000_000, 'time in seconds becomes milliseconds')
    assert.equal(props.$insert_id, 'abc-1')
    assert.equal(props.mp_lib, 'custom')
  })

  test('bad input rejects the one call with a clear error, never throws synchronously', async () => {
    const { mp, consumer } = client()
    assert.equal((await rejection(mp.track('u1', '' as string))).code, 'EVENTWIRE_INVALID_ARGUMENT')
    assert.equal((await rejection(mp.track(null, 'E'))).path, 'distinctId')
    assert.equal((await rejection(mp.track({} as string, 'E'))).code, 'EVENTWIRE_INVALID_ARGUMENT')
    assert.equal(
      (await rejection(mp.track('u1', 'E', { $insert_id: 'has space' }))).code,
      'EVENTWIRE_INVALID_INSERT_ID',
    )
    assert.equal(
      (await rejection(mp.track('u1', 'E', { $insert_id: 'x'.repeat(37) }))).code,
      'EVENTWIRE_INVALID_INSERT_ID',
    )
    assert.equal((await rejection(mp.track('u1', 'E', { f: () => 1 }))).path, 'properties.f')
    assert.equal(
      (await rejection(mp.track('u1', 'E', { big: 'x'.repeat(1_000_001) }))).code,
      'EVENTWIRE_LIMIT_EXCEEDED',
    )
    assert.equal(
      (await rejection(mp.people.increment('u1', { n: 'one' as unknown as number }))).path,
      'properties.n',
    )
    assert.equal(
      (await rejection(mp.people.union('u1', { n: 'x' as unknown as string[] }))).path,
      'properties.n',
    )
    assert.equal((await rejection(mp.groups.set('', 'g', {}))).path, 'groupKey')
    assert.equal(consumer.sent.length, 0, 'nothing invalid reaches the consumer')
    await mp.track('u1', 'Still works')
    assert.equal(consumer.sent.length, 1, 'a bad call never breaks the next one')
  })

  test('the 255-property limit counts eventwire defaults', async () => {
    const { mp } = client()
    const props = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, i]))
    assert.equal((await rejection(mp.track('u1', 'E', props))).code, 'EVENTWIRE_LIMIT_EXCEEDED')
    const fits = Object.fromEntries(Array.from({ length: 249 }, (_, i) => [`p${i}`, i]))
    await mp.track('u1', 'E', fits)
  })

  test('/import refuses placeholder distinct ids; /track accepts them', async () => {
    const { mp, consumer } = client()
    for (const id of [
      'null',
      'undefined',
      'Anonymous',
      '0',
      '-1',
      '00000000-0000-0000-0000-000000000000',
      '[]',
    ]) {
      assert.equal(
        (await rejection(mp.import(id, 'E', 1_600_000_000))).code,
        'EVENTWIRE_FORBIDDEN_DISTINCT_ID',
        id,
      )
    }
    await mp.import('', 'E', 1_600_000_000)
    await mp.track('null', 'E')
    assert.equal(consumer.sent.length, 2)
  })

  test('warns when a distinct id looks like an e-mail address', async () => {
    const warnings: ClientWarning[] = []
    const { mp, consumer } = client({ onWarning: (w) => warnings.push(w) })
    await mp.track('ada@example.com', 'E')
    await mp.people.set('ada@example.com', { a: 1 })
    await mp.track('2f1c7e0a-bb5e-4e0c-9d0a-5c7f2c1f9e11', 'E')
    assert.deepEqual(
      warnings.map((w) => [w.code, w.method]),
      [
        ['distinct_id_looks_like_email', 'track'],
        ['distinct_id_looks_like_email', 'people.set'],
      ],
    )
    assert.ok(!warnings[0]!.message.includes('ada@example.com'), 'the warning does not repeat the address')
    assert.equal(consumer.sent.length, 3, 'a warning does not stop the call')
  })

  test('after close, calls reject with EVENTWIRE_CLOSED', async () => {
    const { mp } = client()
    await mp.close()
    const error = await mp.track('u1', 'E').catch((e: unknown) => e)
    assert.ok(error instanceof EventwireError)
    assert.equal(error.code, 'EVENTWIRE_CLOSED')
  })

  test('a misspelt key in the options of a profile or group update rejects the call, naming it', async () => {
    const { mp, consumer } = client()
    const calls: Array<[string, Promise<void>]> = [
      ['people.set', mp.people.set('u1', { a: 1 }, { ignoreTme: true } as never)],
      ['people.delete', mp.people.delete('u1', { ignoreAlais: true } as never)],
      ['people.trackCharge', mp.people.trackCharge('u1', 5, {}, { Time: 1 } as never)],
      ['groups.set', mp.groups.set('company', 'c1', { a: 1 }, { ignoreTme: true } as never)],
      ['groups.delete', mp.groups.delete('company', 'c1', { IP: 0 } as never)],
    ]
    const meant = ['ignoreTime', 'ignoreAlias', 'time', 'ignoreTime', 'ip']
    for (const [i, [method, call]] of calls.entries()) {
      const error = await call.then(
        () => assert.fail(`${method} resolved`),
        (e: unknown) => e,
      )
      assert.ok(error instanceof ConfigError, String(error))
      assert.equal(error.suggestion, meant[i], method)
      assert.match(
        error.message,
        new RegExp(`is not an option of ${method.replace('.', '\\.')}; did you mean`),
      )
    }
    assert.equal(consumer.sent.length, 0, 'nothing is sent')
    await mp.people.set('u1', { a: 1 }, { ignoreTime: false, ip: '10.0.0.1' })
    await mp.groups.set('company', 'c1', { a: 1 }, { time: 1_700_000_000 })
    assert.deepEqual(
      consumer.sent.map((r) => [r.endpoint, r.message.$ignore_time, r.message.$ip, r.message.$time]),
      [
        ['people', false, '10.0.0.1', undefined],
        ['groups', true, 0, 1_700_000_000_000],
      ],
    )
  })

  test('a misspelt key in the options of close() rejects before anything is closed', async () => {
    const { mp, consumer } = client()
    const error = await mp.close({ timeoutMS: 10 } as never).catch((e: unknown) => e)
    assert.ok(error instanceof ConfigError, String(error))
    assert.equal(error.option, 'timeoutMS')
    assert.equal(error.suggestion, 'timeoutMs')
    await mp.track('u1', 'Still open')
    assert.equal(consumer.sent.length, 1, 'the client was not closed')
    await mp.close({ timeoutMs: 10 })
    await assert.rejects(mp.track('u1', 'E'), { code: 'EVENTWIRE_CLOSED' })
  })

  test('typed events: the client is generic over an event map', async () => {
    type Events = { 'Order completed': { total: number; currency: 'EUR' | 'USD' } }
    const consumer = createTestConsumer()
    const mp = new Mixpanel<Events>('tok', { consumer })
    await mp.track('u1', 'Order completed', { total: 10, currency: 'EUR' })
    // @ts-expect-error an event name outside the map does not compile
    await mp.track('u1', 'Unknown event', {}).catch(() => {})
    // @ts-expect-error a property of the wrong type does not compile
    await mp.track('u1', 'Order completed', { total: 'ten', currency: 'EUR' }).catch(() => {})
    assert.equal(
      consumer.sent.length,
      3,
      'types are compile-time only; runtime checks come from a tracking plan',
    )
  })
})

describe('Mixpanel client with several consumers', () => {
  test('consumers: [...] hands every message to each consumer', async () => {
    const first = createTestConsumer()
    const second = createTestConsumer()
    const mp = new Mixpanel('tok', { consumers: [first, second] })
    await mp.track('u1', 'Fanned out', { n: 1 })
    await mp.people.set('u1', { plan: 'pro' })
    assert.deepEqual(
      first.sent.map((r) => r.endpoint),
      ['events', 'people'],
    )
    assert.deepEqual(second.sent, first.sent)
    assert.throws(() => new Mixpanel('tok', { consumer: first, consumers: [second] }), {
      option: 'consumers',
    })
  })
})
