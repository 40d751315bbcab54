import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { contentInsertId, mapRecord, parseTime, resolveMapping, stableStringify } from './event-mapping.js'

describe('mapRecord', () => {
  test('reads Mixpanel-shaped rows and flat rows with mapped fields', () => {
    const standard = resolveMapping()
    const shaped = mapRecord(
      { event: 'Signed up', properties: { distinct_id: 'u1', time: 1_700_000_000, plan: 'pro' } },
      standard,
    )
    assert.equal(shaped.event, 'Signed up')
    assert.equal(shaped.distinctId, 'u1')
    assert.equal(shaped.timeMs, 1_700_000_000_000)
    assert.equal(shaped.properties.plan, 'pro')

    const mapping = resolveMapping({
      eventField: 'name',
      distinctIdField: 'user',
      timeField: 'at',
      propertyPrefix: 'p.',
    })
    const flat = mapRecord(
      { name: 'Bought', user: 7, at: '2024-02-03 04:05:06', 'p.sku': 'A1', other: 1 },
      mapping,
    )
    assert.deepEqual(
      { event: flat.event, id: flat.distinctId, time: flat.timeMs, properties: flat.properties },
      { event: 'Bought', id: 7, time: Date.UTC(2024, 1, 3, 4, 5, 6), properties: { sku: 'A1' } },
    )
  })

  test('refuses rows without a name or a readable time, naming the field', () => {
    const mapping = resolveMapping()
    assert.throws(() => mapRecord([1], mapping), /a record must be a JSON object/)
    assert.throws(() => mapRecord({ time: 1_700_000_000 }, mapping), { path: 'event' })
    assert.throws(() => mapRecord({ event: 'e' }, mapping), { path: 'time', message: /no time/ })
    assert.throws(() => mapRecord({ event: 'e', time: 5 }, mapping), /before 1971-01-01/)
    assert.throws(() => resolveMapping({ timeUnit: 'h' as 's' }), { option: 'timeUnit' })
  })
})

describe('parseTime', () => {
  test('detects seconds and milliseconds, honours an explicit unit, reads ISO dates as UTC', () => {
    assert.equal(parseTime(1_700_000_000, 'auto', 't'), 1_700_000_000_000)
    assert.equal(parseTime(1_700_000_000.5, 'auto', 't'), 1_700_000_000_500)
    assert.equal(parseTime('1700000000123', 'auto', 't'), 1_700_000_000_123)
    assert.equal(parseTime(40_000_000_000, 'ms', 't'), 40_000_000_000)
    assert.equal(parseTime(40_000_000_000, 'auto', 't'), 40_000_000_000_000)
    assert.equal(parseTime('2024-01-02T03:04:05+01:00', 'auto', 't'), Date.UTC(2024, 0, 2, 2, 4, 5))
    assert.equal(parseTime('2024-01-02', 'auto', 't'), Date.UTC(2024, 0, 2))
  })
})

describe('contentInsertId', () => {
  test('is 36 characters, the same for the same content in any key order, different otherwise', () => {
    const a = contentInsertId('e', 'u1', 1000, { x: 1, y: { b: 2, a: [1, { d: 1, c: 2 }] } })
    const b = contentInsertId('e', 'u1', 1000, {
      y: { a: [1, { c: 2, d: 1 }], b: 2 },
      x: 1,
      distinct_id: 'ignored',
    })
    assert.match(a, /^[0-9a-f]{36}$/)
    assert.equal(a, b)
    assert.notEqual(a, contentInsertId('e', 'u1', 1001, { x: 1, y: { b: 2, a: [1, { d: 1, c: 2 }] } }))
    assert.notEqual(a, contentInsertId('e', 'u2', 1000, { x: 1, y: { b: 2, a: [1, { d: 1, c: 2 }] } }))
    assert.notEqual(a, contentInsertId('f', 'u1', 1000, { x: 1, y: { b: 2, a: [1, { d: 1, c: 2 }] } }))
    assert.equal(
      stableStringify({ b: [{ z: 1, a: null }], a: 'x', u: undefined }),
      '{"a":"x","b":[{"a":null,"z":1}]}',
    )
  })
})
