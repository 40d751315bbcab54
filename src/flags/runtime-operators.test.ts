import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import fc from 'fast-check'
import { datetimeCompare, datetimeMatcher, semverCompare, semverMatcher } from './runtime-operators.js'

// Mixpanel's Node SDK implementation, installed as a dev dependency, as the oracle.
const official = createRequire(import.meta.url)('mixpanel/lib/flags/custom_operators.js') as {
  semverCompare: (...args: unknown[]) => boolean
  datetimeCompare: (...args: unknown[]) => boolean
}

const OPS = ['===', '!==', '<', '<=', '>', '>=', '==', 'bogus']

test('semver_compare examples', () => {
  assert.equal(semverCompare('1.2.3', '<', '1.10.0'), true)
  assert.equal(semverCompare('v2', '===', '2.0.0'), true)
  assert.equal(semverCompare('1.0.0-alpha', '<', '1.0.0-alpha.1'), true)
  assert.equal(semverCompare('1.0.0-alpha.beta', '<', '1.0.0-beta'), true)
  assert.equal(semverCompare('1.0.0-rc.1', '<', '1.0.0'), true)
  assert.equal(semverCompare('1.0.0+build.5', '===', '1.0.0'), true)
  assert.equal(semverCompare('01.0.0', '===', '1.0.0'), false)
  assert.equal(semverCompare('1.0.0', '~', '1.0.0'), false)
  assert.equal(semverCompare('1.0.0', '==='), false)
  assert.equal(semverCompare(1, '===', '1.0.0'), false)
})

test('semver_compare agrees with the Mixpanel Node SDK', () => {
  const part = fc.oneof(
    fc.constantFrom('0', '1', '2', '10', '01', '99999999999999999999'),
    fc.nat(30).map(String),
  )
  const pre = fc.array(fc.oneof(part, fc.constantFrom('alpha', 'beta', 'rc', 'x-1', '')), { maxLength: 3 })
  const version = fc
    .tuple(
      fc.constantFrom('', 'v', 'V', ' '),
      fc.array(part, { minLength: 1, maxLength: 4 }),
      pre,
      fc.constantFrom('', '+build.1', '+'),
    )
    .map(
      ([prefix, core, p, build]) => `${prefix}${core.join('.')}${p.length ? `-${p.join('.')}` : ''}${build}`,
    )
  fc.assert(
    fc.property(version, fc.constantFrom(...OPS), version, (a, op, b) => {
      return semverCompare(a, op, b) === official.semverCompare(a, op, b)
    }),
    { numRuns: 3000 },
  )
  // A matcher (literal op and target) remembers answers: asked again, it answers the same.
  fc.assert(
    fc.property(fc.constantFrom(...OPS), version, fc.array(version, { maxLength: 30 }), (op, b, list) => {
      const matches = semverMatcher(op, b)
      for (const a of [...list, ...list, 7, null]) {
        assert.equal(matches(a), official.semverCompare(a, op, b), JSON.stringify({ a, op, b }))
      }
    }),
    { numRuns: 500 },
  )
})

test('datetime_compare examples and agreement with the Mixpanel Node SDK', () => {
  const jan1 = Date.UTC(2024, 0, 1)
  assert.equal(datetimeCompare('2023-12-31T23:59:59Z', '<', jan1), true)
  assert.equal(datetimeCompare('2024-01-01T01:00:00+01:00', '===', jan1), true)
  assert.equal(datetimeCompare('2024-01-01t00:00:00.999z', '===', jan1), true)
  assert.equal(datetimeCompare('2023-02-29T00:00:00Z', '<', jan1), false)
  assert.equal(datetimeCompare('2024-01-01', '<', jan1 + 1e6), false)
  assert.equal(datetimeCompare('2024-01-01T00:00:00Z', '<', '1704067200000'), false)
  const stamp = fc
    .tuple(
      fc.integer({ min: 1990, max: 2040 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.constantFrom('Z', 'z', '+02:00', '-05:30', '', '.123Z'),
      fc.constantFrom('T', 't', ' '),
    )
    .map(([y, mo, d, h, zone, sep]) => {
      const two = (n: number) => String(n).padStart(2, '0')
      return `${y}-${two(mo)}-${two(d)}${sep}${two(h)}:30:15${zone}`
    })
  const target = fc.oneof(
    fc.integer({ min: 0, max: 2_300_000_000_000 }),
    fc.constantFrom(Number.NaN, 2 ** 63, '5'),
  )
  fc.assert(
    fc.property(stamp, fc.constantFrom(...OPS), target, (a, op, t) => {
      return datetimeCompare(a, op, t) === official.datetimeCompare(a, op, t)
    }),
    { numRuns: 3000 },
  )
  fc.assert(
    fc.property(fc.constantFrom(...OPS), target, fc.array(stamp, { maxLength: 30 }), (op, t, list) => {
      const matches = datetimeMatcher(op, t)
      for (const a of [...list, ...list, jan1, null]) {
        assert.equal(matches(a), official.datetimeCompare(a, op, t), JSON.stringify({ a, op, t }))
      }
    }),
    { numRuns: 500 },
  )
})
