import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERROR_CODES } from './codes.js'

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const documented = new Set([...doc.matchAll(/^### (EVENTWIRE_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1] as string))

test('every error code is documented in docs/errors.md', () => {
  const missing = Object.keys(ERROR_CODES).filter((code) => !documented.has(code))
  assert.deepEqual(missing, [])
})

test('every code documented in docs/errors.md exists', () => {
  const unknown = [...documented].filter((code) => !(code in ERROR_CODES))
  assert.deepEqual(unknown, [])
})

test('codes follow the EVENTWIRE_ naming scheme', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^EVENTWIRE_[A-Z0-9_]+$/)
  assert.ok(documented.size >= 15, `expected the doc to list the core codes, found ${documented.size}`)
})
