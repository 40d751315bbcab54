import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkImportAuth } from './import-auth.js'

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
const account = { username: 'sa', secret: 's3cret', projectId: 7 }

test('service account, project token and legacy secret', () => {
  const creds = { token: 'tok', apiSecret: 'legacy', serviceAccount: account }
  const q = (s: string) => new URLSearchParams(s)
  assert.equal(checkImportAuth(basic('sa', 's3cret'), q('project_id=7'), creds), true)
  assert.equal(
    checkImportAuth('Basic sa:s3cret', q('project_id=7'), creds),
    true,
    'plain text is accepted too',
  )
  assert.equal(checkImportAuth(basic('sa', 's3cret'), q('project_id=8'), creds), false)
  assert.equal(checkImportAuth(basic('sa', 'wrong'), q('project_id=7'), creds), false)
  assert.equal(checkImportAuth(basic('tok', ''), q(''), creds), true)
  assert.equal(checkImportAuth(basic('tok', 'x'), q(''), creds), false)
  assert.equal(checkImportAuth(basic('legacy', ''), q(''), creds), true)
  assert.equal(checkImportAuth(undefined, q(''), creds), false)
  assert.equal(checkImportAuth('Bearer tok', q(''), creds), false)
  assert.equal(checkImportAuth(basic('tok', ''), q(''), { serviceAccount: account }), false)
})
