import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ERROR_CLASSES, ERROR_CODES } from './codes.js'
import {
  ClosedError,
  ConfigError,
  ConsumerError,
  DeliveryError,
  EventwireError,
  GdprApiError,
  ImportError,
  ValidationError,
} from './index.js'

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

test('every code is bound to one class, an EventwireError exported here', async () => {
  const errors = (await import('./index.js')) as Record<string, unknown>
  for (const [code, name] of Object.entries(ERROR_CLASSES)) {
    const Class = errors[name]
    assert.equal(typeof Class, 'function', `${code}: ${name} is exported`)
    assert.ok(
      (Class as { prototype: unknown }).prototype instanceof EventwireError,
      `${name} is an EventwireError`,
    )
  }
  assert.deepEqual(Object.keys(ERROR_CLASSES).sort(), Object.keys(ERROR_CODES).sort())
})

test("docs/errors.md's class table lists the codes bound to each class, both ways", () => {
  const rows = [...doc.matchAll(/^\| `([A-Za-z]+)`[^|]*\| ([^|]*) \|/gm)].filter((m) =>
    m[2]!.includes('EVENTWIRE_'),
  )
  const documented = new Map(
    rows.map((m) => [m[1]!, [...m[2]!.matchAll(/EVENTWIRE_[A-Z0-9_]+/g)].map((c) => c[0]).sort()]),
  )
  const bound = new Map<string, string[]>()
  for (const [code, name] of Object.entries(ERROR_CLASSES))
    bound.set(name, [...(bound.get(name) ?? []), code])
  for (const list of bound.values()) list.sort()
  assert.deepEqual(Object.fromEntries(documented), Object.fromEntries(bound))
})

test('eventwire builds the class bound to a code, never a bare EventwireError', () => {
  const src = fileURLToPath(new URL('..', import.meta.url))
  const offenders: string[] = []
  for (const file of readdirSync(src, { recursive: true }) as string[]) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.startsWith(`errors${sep}`)) continue
    if (/new EventwireError\(/.test(readFileSync(join(src, file), 'utf8'))) offenders.push(file)
  }
  assert.deepEqual(offenders, [])
})

test('a class takes only its own codes, and fixes its one', () => {
  assert.equal(new ClosedError().code, 'EVENTWIRE_CLOSED')
  assert.equal(new ConfigError('x', 'bad').code, 'EVENTWIRE_INVALID_OPTION')
  assert.equal(new ConsumerError('failed').code, 'EVENTWIRE_CONSUMER_FAILED')
  assert.equal(new GdprApiError('refused').code, 'EVENTWIRE_GDPR_API_ERROR')
  assert.equal(new ImportError([], 0).code, 'EVENTWIRE_IMPORT_FAILED_RECORDS')
  // @ts-expect-error EVENTWIRE_CLOSED is ClosedError's code
  assert.ok(new DeliveryError('EVENTWIRE_CLOSED', 'closed') instanceof DeliveryError)
  // @ts-expect-error EVENTWIRE_TIMEOUT is DeliveryError's code
  assert.ok(new ValidationError('EVENTWIRE_TIMEOUT', 'late') instanceof ValidationError)
})
