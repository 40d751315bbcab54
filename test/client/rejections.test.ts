/**
 * Every rejection of a client call carries an `EventwireError` with a stable code, whatever the
 * caller passed (throwing getters and `toJSON`, Proxy traps, revoked Proxies, over-long ids and
 * names) and whatever a consumer of theirs did; a raw error is kept as `cause`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { LIMITS, Mixpanel } from '../../src/client/index.js'
import type { EventConsumer } from '../../src/consumers/index.js'
import { ERROR_CODES, EventwireError, isEventwireError } from '../../src/errors/index.js'
import { createTestConsumer } from '../../src/testing/index.js'

const BOOM = new Error('boom from user code')

/** Values that break when read, each building a fresh one. */
const EVIL: ReadonlyArray<readonly [string, () => unknown, boolean]> = [
  [
    'a throwing getter',
    () =>
      Object.defineProperty({}, 'plan', {
        enumerable: true,
        get() {
          throw BOOM
        },
      }),
    true,
  ],
  [
    'a throwing toJSON',
    () => ({
      when: {
        toJSON() {
          throw BOOM
        },
      },
    }),
    true,
  ],
  [
    'a Proxy whose ownKeys trap throws',
    () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw BOOM
          },
        },
      ),
    true,
  ],
  [
    'a revoked Proxy',
    () => {
      const revocable = Proxy.revocable({}, {})
      revocable.revoke()
      return revocable.proxy
    },
    false,
  ],
  [
    'a nested revoked Proxy',
    () => {
      const revocable = Proxy.revocable({ a: 1 }, {})
      revocable.revoke()
      return { inner: revocable.proxy }
    },
    false,
  ],
]

/** Every call of the client that takes properties, with `props` in place. */
function calls(mp: Mixpanel, props: unknown): Array<readonly [string, () => Promise<void>]> {
  const p = props as Record<string, never>
  return [
    ['track', () => mp.track('u', 'E', p)],
    ['import', () => mp.import('u', 'E', Date.now(), p)],
    ['importBatch', () => mp.importBatch(props as never)],
    ['importBatch record', () => mp.importBatch([{ event: 'E', properties: props as never }])],
    ['people.set', () => mp.people.set('u', p)],
    ['people.setOnce', () => mp.people.setOnce('u', p)],
    ['people.increment', () => mp.people.increment('u', p)],
    ['people.append', () => mp.people.append('u', p)],
    ['people.union', () => mp.people.union('u', p)],
    ['people.remove', () => mp.people.remove('u', p)],
    ['groups.set', () => mp.groups.set('company', 'acme', p)],
  ]
}

async function rejection(call: () => Promise<void>): Promise<EventwireError> {
  try {
    await call()
  } catch (error) {
    assert.ok(isEventwireError(error), `not an EventwireError: ${String(error)}`)
    assert.ok(error.code in ERROR_CODES, `unknown code ${error.code}`)
    return error as EventwireError
  }
  throw new assert.AssertionError({ message: 'the call resolved' })
}

describe('properties that break when read', () => {
  for (const [what, make, keepsCause] of EVIL) {
    test(`${what}: every call rejects with an EventwireError with a code, the raw error as cause`, async () => {
      const consumer = createTestConsumer()
      const mp = new Mixpanel('tok', { consumer, logger: false })
      for (const [name, call] of calls(mp, make())) {
        const error = await rejection(call)
        if (name === 'importBatch record') {
          assert.equal(error.code, 'EVENTWIRE_IMPORT_FAILED_RECORDS', name)
          continue
        }
        if (name === 'importBatch') {
          // Not an array: refused before anything is read.
          assert.equal(error.code, 'EVENTWIRE_INVALID_ARGUMENT', name)
          continue
        }
        assert.equal(error.code, 'EVENTWIRE_INVALID_PROPERTY', `${name}: ${error.message}`)
        if (keepsCause) assert.equal(error.cause, BOOM, name)
        else assert.ok(error.cause instanceof TypeError, `${name}: the raw TypeError is the cause`)
      }
      assert.equal(consumer.sent.length, 0)
      await mp.close()
    })
  }
})

describe('a custom consumer that throws or rejects with a raw error', () => {
  for (const how of ['throws', 'rejects'] as const) {
    test(`send ${how}: the call rejects with EVENTWIRE_CONSUMER_FAILED, cause the raw error`, async () => {
      const raw = new TypeError('consumer bug')
      const consumer: EventConsumer = {
        send: () => {
          if (how === 'throws') throw raw
          return Promise.reject(raw)
        },
        flush: async () => {},
        close: async () => ({ sent: 0, failed: 0, dropped: 0, pending: 0 }),
      }
      const mp = new Mixpanel('tok', { consumer, logger: false })
      const error = await rejection(() => mp.track('u', 'E'))
      assert.equal(error.code, 'EVENTWIRE_CONSUMER_FAILED')
      assert.equal(error.cause, raw)
      const passed = new EventwireError('EVENTWIRE_CLOSED', 'closed')
      const own = new Mixpanel('tok', {
        consumer: { ...consumer, send: () => Promise.reject(passed) },
        logger: false,
      })
      assert.equal(await rejection(() => own.track('u', 'E')), passed)
    })
  }
})

describe("Mixpanel's 255-character limits on ids and names", () => {
  const long = 'x'.repeat(LIMITS.maxIdLength + 1)
  const huge = 'y'.repeat(100_000)
  const cases: ReadonlyArray<readonly [string, (mp: Mixpanel) => Promise<void>, string]> = [
    ['track: distinct id', (mp) => mp.track(long, 'E'), 'distinctId'],
    ['track: 100 KB distinct id', (mp) => mp.track(huge, 'E'), 'distinctId'],
    ['track: event name', (mp) => mp.track('u', long), 'event'],
    ['track: 100 KB event name', (mp) => mp.track('u', huge), 'event'],
    ['import: distinct id', (mp) => mp.import(long, 'E', Date.now()), 'distinctId'],
    ['people.set: distinct id', (mp) => mp.people.set(long, { a: 1 }), 'distinctId'],
    ['alias', (mp) => mp.alias('u', long), 'alias'],
    ['identify: anonymous id', (mp) => mp.identify('u', long), 'anonId'],
    ['merge', (mp) => mp.merge('u', long), 'distinctId2'],
    ['groups.set: group id', (mp) => mp.groups.set('company', long, { a: 1 }), 'groupId'],
    ['groups.set: group key', (mp) => mp.groups.set(long, 'acme', { a: 1 }), 'groupKey'],
  ]
  for (const [name, call, path] of cases) {
    test(`${name} longer than 255 characters is refused with EVENTWIRE_LIMIT_EXCEEDED`, async () => {
      const consumer = createTestConsumer()
      const mp = new Mixpanel('tok', { consumer, logger: false })
      const error = await rejection(() => call(mp))
      assert.equal(error.code, 'EVENTWIRE_LIMIT_EXCEEDED')
      assert.equal((error as { path?: string }).path, path)
      assert.match(error.message, /more than Mixpanel's limit of 255/)
      assert.ok(error.message.length < 300, 'the message does not quote the value')
      assert.equal(consumer.sent.length, 0)
    })
  }

  test('exactly 255 characters pass, counted as characters: 255 emoji (510 UTF-16 units) too', async () => {
    const consumer = createTestConsumer()
    const mp = new Mixpanel('tok', { consumer, logger: false })
    await mp.track('a'.repeat(255), 'b'.repeat(255))
    await mp.track('😀'.repeat(255), '😀'.repeat(255))
    await mp.groups.set('k'.repeat(255), 'i'.repeat(255), { a: 1 })
    assert.equal(consumer.sent.length, 3)
    await assert.rejects(mp.track('😀'.repeat(256), 'E'), { code: 'EVENTWIRE_LIMIT_EXCEEDED' })
  })
})
