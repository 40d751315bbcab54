import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EventwireError } from '../errors/index.js'
import { Redactor, redactPatterns } from './redact.js'

test('URL passwords go, user names and hosts stay', () => {
  assert.equal(
    redactPatterns('Redis store at redis://:hunter2@127.0.0.1:6379 failed'),
    'Redis store at redis://:[redacted]@127.0.0.1:6379 failed',
  )
  assert.equal(
    redactPatterns('POST https://robot:s3cret@api.example.com/import: refused'),
    'POST https://robot:[redacted]@api.example.com/import: refused',
  )
  assert.equal(redactPatterns('GET https://tok3n@host/x'), 'GET https://[redacted]@host/x')
  // An e-mail address in a path or a message is not user info.
  assert.equal(
    redactPatterns('https://host/users/a@b.com and me@example.com'),
    'https://host/users/a@b.com and me@example.com',
  )
})

test('Basic and Bearer values go, also inside an echoed JSON body', () => {
  const body = '{"error":"bad header Basic cm9ib3Q6czNjcmV0 and bearer abc.def-ghi","h":"Bearer x_y~z="}'
  assert.equal(
    redactPatterns(body),
    '{"error":"bad header Basic [redacted] and bearer [redacted]","h":"Bearer [redacted]"}',
  )
  // Idempotent: a redacted value is left as it is.
  assert.equal(redactPatterns('Basic [redacted]'), 'Basic [redacted]')
})

test('known secrets go in every wire form: plain, base64, user:secret, base64 of user:secret, URL-encoded', () => {
  const redactor = new Redactor([{ user: 'robot', secret: 'sa-secret/42+x' }, 'gdpr-token-9', undefined])
  const forms = [
    'sa-secret/42+x',
    Buffer.from('sa-secret/42+x').toString('base64'),
    'robot:sa-secret/42+x',
    Buffer.from('robot:sa-secret/42+x').toString('base64'),
    encodeURIComponent('sa-secret/42+x'),
    'gdpr-token-9',
    Buffer.from('gdpr-token-9:').toString('base64'),
  ]
  for (const form of forms) {
    const text = redactor.text(`the server said: ${form}!`)
    assert.equal(text, 'the server said: [redacted]!', form)
  }
  assert.equal(redactor.knowsSecrets, true)
  assert.equal(new Redactor([]).knowsSecrets, false)
})

test('every EventwireError message is redacted at construction, stack included', () => {
  const error = new EventwireError(
    'EVENTWIRE_HTTP_ERROR',
    'echo: Authorization: Basic dXNlcjpwYXNz at https://u:p4ss@h/',
  )
  assert.doesNotMatch(error.message, /dXNlcjpwYXNz|p4ss/)
  assert.doesNotMatch(String(error.stack), /dXNlcjpwYXNz|p4ss/)
})
