import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applyFixes, NO_FIX, parseLooseDate, repairValue } from './fix.js'

test('booleans from "true"/"false" (any case, trimmed) and 1/0', () => {
  assert.equal(repairValue({ type: 'boolean' }, 'true'), true)
  assert.equal(repairValue({ type: 'boolean' }, ' FALSE '), false)
  assert.equal(repairValue({ type: 'boolean' }, 1), true)
  assert.equal(repairValue({ type: 'boolean' }, 'yes'), NO_FIX)
})

test('numbers from numeric strings; integers only when whole', () => {
  assert.equal(repairValue({ type: 'number' }, '12.50'), 12.5)
  assert.equal(repairValue({ type: 'number' }, '-1e3'), -1000)
  assert.equal(repairValue({ type: 'integer' }, '42'), 42)
  assert.equal(repairValue({ type: 'integer' }, '4.2'), NO_FIX)
  assert.equal(repairValue({ type: 'number' }, '12 apples'), NO_FIX)
  assert.equal(repairValue({ type: 'number' }, ''), NO_FIX)
})

test('strings from numbers and booleans; union types try boolean, integer, number, string in turn', () => {
  assert.equal(repairValue({ type: 'string' }, 7), '7')
  assert.equal(repairValue({ type: 'string' }, false), 'false')
  assert.equal(repairValue({ type: ['integer', 'string'] }, true), 'true')
  assert.equal(repairValue({ type: ['boolean', 'null'] }, 'true'), true)
})

test('enum values matched ignoring case and spaces, only when unambiguous', () => {
  assert.equal(repairValue({ type: 'string', enum: ['free', 'pro'] }, ' Pro'), 'pro')
  assert.equal(repairValue({ enum: ['free', 'pro'] }, 'gold'), NO_FIX)
  assert.equal(repairValue({ type: 'integer', enum: [1, 2] }, '2'), 2)
})

test('dates: epoch seconds or milliseconds and loose ISO strings become ISO-8601 UTC', () => {
  const schema = { type: 'string', format: 'date-time' } as const
  assert.equal(repairValue(schema, 1714557600), '2024-05-01T10:00:00.000Z')
  assert.equal(repairValue(schema, 1714557600000), '2024-05-01T10:00:00.000Z')
  assert.equal(repairValue(schema, '2024-05-01 10:00'), '2024-05-01T10:00:00.000Z')
  assert.equal(repairValue(schema, '2024-05-01T12:00:00+0200'), '2024-05-01T10:00:00.000Z')
  assert.equal(repairValue(schema, '1714557600'), '2024-05-01T10:00:00.000Z')
  assert.equal(repairValue(schema, 'next tuesday'), NO_FIX)
  assert.equal(repairValue({ type: 'string', format: 'date' }, '2024-05-01T23:00:00Z'), '2024-05-01')
  assert.equal(parseLooseDate('2024-02-30'), undefined)
})

test('repairs keep an own "__proto__" key as a plain property', () => {
  const input = JSON.parse('{"__proto__": {"polluted": true}, "n": "1"}')
  const { value, applied } = applyFixes(input, [
    { code: 'invalid_type', path: 'properties.n', message: '', segments: ['n'], schema: { type: 'integer' } },
  ])
  assert.equal(applied.length, 1)
  assert.equal(value.n, 1)
  assert.equal(Object.getPrototypeOf(value), Object.prototype)
  assert.deepEqual(JSON.parse(JSON.stringify(value)), { ['__proto__']: { polluted: true }, n: 1 })
  assert.equal(({} as { polluted?: boolean }).polluted, undefined)
})
