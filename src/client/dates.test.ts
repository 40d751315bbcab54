import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { IsoDates, toEpochMs } from './dates.js'

describe('toEpochMs', () => {
  test('takes Dates, seconds and milliseconds', () => {
    assert.equal(toEpochMs(new Date(1_700_000_000_123), 't'), 1_700_000_000_123)
    assert.equal(toEpochMs(1_700_000_000, 't'), 1_700_000_000_000)
    assert.equal(toEpochMs(1_700_000_000.5, 't'), 1_700_000_000_500)
    assert.equal(toEpochMs(1_700_000_000_123, 't'), 1_700_000_000_123)
  })

  test('rejects anything else', () => {
    for (const bad of ['2024-01-01', -1, Number.NaN, null, new Date(Number.NaN)]) {
      assert.throws(() => toEpochMs(bad, 'time'), { code: 'EVENTWIRE_INVALID_ARGUMENT' })
    }
  })
})

describe('IsoDates', () => {
  test('equals Date#toISOString for every valid date', () => {
    const iso = new IsoDates()
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => iso.format(date) === date.toISOString()),
      { numRuns: 5000 },
    )
    for (const ms of [0, -1, 1, 999, 253402300799999, 253402300800000, -62167219200000, -62167219200001]) {
      assert.equal(iso.format(new Date(ms)), new Date(ms).toISOString(), String(ms))
    }
  })

  test('dates in the same second, across seconds and back again (the last second is remembered)', () => {
    const iso = new IsoDates()
    const start = 1_700_000_000_000
    const times = [
      start,
      start + 1,
      start + 999,
      start + 1000,
      start + 1,
      start - 1,
      -1001,
      -1000,
      -999,
      start,
    ]
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 1 }), (offsets) =>
        offsets.every((d) => iso.format(new Date(start + d)) === new Date(start + d).toISOString()),
      ),
    )
    for (const ms of times) assert.equal(iso.format(new Date(ms)), new Date(ms).toISOString(), String(ms))
  })
})
