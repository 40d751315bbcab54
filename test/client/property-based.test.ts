import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { BufferedConsumer, Mixpanel, ValidationError } from '../../src/index.js'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

const DOCUMENTED = new Set([
  'EVENTWIRE_INVALID_PROPERTY',
  'EVENTWIRE_LIMIT_EXCEEDED',
  'EVENTWIRE_INVALID_ARGUMENT',
  'EVENTWIRE_INVALID_INSERT_ID',
])

const anyValue = fc.anything({
  maxDepth: 5,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withNullPrototype: true,
  withObjectString: true,
})

describe('track() with arbitrary property values', () => {
  let receiver: TestReceiver
  before(async () => {
    receiver = await startTestReceiver()
  })
  after(() => receiver.close())

  test('never throws past the documented errors; every payload on the wire is valid JSON', async () => {
    const consumer = new BufferedConsumer({ apiHost: receiver.origin, maxSize: 500 })
    const mp = new Mixpanel('tok', { consumer })
    let accepted = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), anyValue, { maxKeys: 8 }),
        fc.string({ minLength: 1 }),
        async (properties, name) => {
          const outcome = await mp.track('user', name, properties).then(
            () => 'ok' as const,
            (error: unknown) => error,
          )
          if (outcome === 'ok') {
            accepted++
            return
          }
          refused++
          assert.ok(outcome instanceof ValidationError, `unexpected ${String(outcome)}`)
          assert.ok(DOCUMENTED.has(outcome.code), outcome.code)
        },
      ),
      { numRuns: 400, seed: 20261121 },
    )
    const circular: Record<string, unknown> = {}
    circular.me = circular
    await assert.rejects(mp.track('user', 'loop', { circular }), { code: 'EVENTWIRE_INVALID_PROPERTY' })
    await mp.flush()
    await mp.close()

    assert.ok(
      accepted > 200,
      `most arbitrary values have a mapping (accepted ${accepted}, refused ${refused})`,
    )
    const records = receiver.requests.flatMap((r) => {
      assert.equal(r.decodeError, undefined, 'body is valid JSON')
      return r.records
    })
    assert.equal(records.length, accepted, 'every accepted call arrived')
    for (const record of records) {
      assert.equal(JSON.stringify(JSON.parse(JSON.stringify(record))), JSON.stringify(record))
    }
  })
})
