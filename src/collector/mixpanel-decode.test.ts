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
  // a line that is not JSON is a refused record of its own; the other lines stay
  const mixed = decodeMixpanelRequest('POST', 'application/x-ndjson', body('{"a":1}\n{oops'), query())
  assert.deepEqual(mixed.records, [{ a: 1 }, '{oops'])
  assert.equal(mixed.problems.get(1)?.code, 'malformed_json')
  assert.match(mixed.problems.get(1)?.message ?? '', /line 2 is not JSON/)
  assert.equal(mixed.problems.has(0), false)
  assert.throws(
    () => decodeMixpanelRequest('POST', 'application/x-ndjson', body('{oops\n[nope'), query()),
    (error: unknown) =>
      error instanceof HttpError && error.status === 400 && /no line is JSON/.test(error.message),
  )
  // nesting past the limit: the record is cut, not the request
  const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
  const cut = decodeMixpanelRequest('POST', 'application/json', body(`[{"ok":1},${deep}]`), query())
  assert.deepEqual(cut.records[0], { ok: 1 })
  assert.equal(cut.problems.get(1)?.code, 'too_deep_json')
  assert.match(JSON.stringify(cut.records[1]), /nested deeper than 100 levels/)
  assert.throws(
    () => decodeMixpanelRequest('POST', 'application/json', body('"text"'), query()),
    (error: unknown) => error instanceof HttpError && error.status === 400,
  )
})
