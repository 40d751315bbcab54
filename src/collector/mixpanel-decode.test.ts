import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HttpError } from './http-io.js'
import { decodeBase64, decodeMixpanelRequest } from './mixpanel-decode.js'

const query = (s = '') => new URLSearchParams(s)
const body = (s: string) => Buffer.from(s)

test('base64 in every flavour: standard, URL-safe, unpadded, "+" read as a space', () => {
  const json = '{"event":"é+?","properties":{"a":"~~~"}}'
  const standard = Buffer.from(json).toString('base64')
  assert.ok(standard.includes('+') || standard.includes('/'))
  assert.equal(decodeBase64(standard), json)
  assert.equal(decodeBase64(Buffer.from(json).toString('base64url')), json)
  assert.equal(decodeBase64(standard.replace(/\+/g, ' ')), json)
  assert.equal(decodeBase64('abc*'), undefined)
  assert.equal(decodeBase64('a'), undefined)
})

test('form fields of the body override query parameters', () => {
  const decoded = decodeMixpanelRequest(
    'POST',
    'application/x-www-form-urlencoded',
    body(`data=${encodeURIComponent('[{"event":"a"}]')}&verbose=1`),
    query('verbose=0&ip=0'),
  )
  assert.deepEqual(decoded.records, [{ event: 'a' }])
  assert.equal(decoded.params.get('verbose'), '1')
  assert.equal(decoded.params.get('ip'), '0')
  assert.equal(decoded.form, true)
})

test('JSON bodies: array, object, NDJSON with or without its content type', () => {
  assert.deepEqual(
    decodeMixpanelRequest('POST', 'application/json', body('[{"a":1},{"a":2}]'), query()).records,
    [{ a: 1 }, { a: 2 }],
  )
  assert.deepEqual(decodeMixpanelRequest('POST', '', body('{"a":1}'), query()).records, [{ a: 1 }])
  assert.deepEqual(
    decodeMixpanelRequest('POST', 'application/json', body('{"a":1}\n{"a":2}\n'), query()).records,
    [{ a: 1 }, { a: 2 }],
  )
  assert.throws(
    () => decodeMixpanelRequest('POST', 'application/x-ndjson', body('{"a":1}\n{oops'), query()),
    (error: unknown) => error instanceof HttpError && error.status === 400 && /line 2/.test(error.message),
  )
  assert.throws(
    () => decodeMixpanelRequest('POST', 'application/json', body('"text"'), query()),
    (error: unknown) => error instanceof HttpError && error.status === 400,
  )
})
