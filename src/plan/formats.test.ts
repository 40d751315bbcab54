import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAjv } from './ajv.js'
import { isDateTime } from './formats.js'

test('date-time accepts RFC 3339 with an offset and refuses impossible dates', () => {
  for (const ok of [
    '2024-05-01T10:00:00Z',
    '2024-05-01T10:00:00.123456Z',
    '2024-05-01t10:00:00+02:00',
    '2024-05-01 10:00:00-0530',
    '2024-02-29T00:00:00Z',
    '2016-12-31T23:59:60Z',
  ]) {
    assert.equal(isDateTime(ok), true, ok)
  }
  for (const bad of [
    '2024-05-01',
    '2024-05-01T10:00:00',
    '2023-02-29T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:00:00+25:00',
    'x2024-05-01T10:00:00Z',
  ]) {
    assert.equal(isDateTime(bad), false, bad)
  }
})

test('the plan ajv uses it, and decimal multipleOf works', () => {
  const ajv = createAjv()
  assert.equal(ajv.compile({ type: 'string', format: 'date-time' })('2023-02-29T00:00:00Z'), false)
  const cents = ajv.compile({ type: 'number', multipleOf: 0.01 })
  assert.equal(cents(19.99), true)
  assert.equal(cents(19.995), false)
})
