import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError } from '../errors/index.js'
import type { FlagDefinition, FlagRollout, FlagVariant } from './definitions.js'
import { normalizedHash } from './hash.js'
import { LocalFlagsProvider } from './local-flags-provider.js'
import type { ExposureTracker } from './types.js'

const AB: FlagVariant[] = [
  { key: 'control', value: 'blue', is_control: true, split: 0.5 },
  { key: 'treatment', value: 'green', is_control: false, split: 0.5 },
]

function flag(key: string, rollout: FlagRollout[], extra: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    id: `id-${key}`,
    name: key,
    key,
    status: 'enabled',
    project_id: 1,
    context: 'distinct_id',
    hash_salt: 'salt',
    experiment_id: 'exp-1',
    is_experiment_active: true,
    ruleset: { variants: AB, rollout },
    ...extra,
  }
}

function provider(...flags: FlagDefinition[]): LocalFlagsProvider {
  return new LocalFlagsProvider({ definitions: { flags } })
}

const users = Array.from({ length: 400 }, (_, i) => `user-${i}`)

test('a 0% rollout matches nobody; a 100% rollout matches everybody', () => {
  const p = provider(flag('none', [{ rollout_percentage: 0 }]), flag('all', [{ rollout_percentage: 1 }]))
  for (const id of users) {
    const none = p.getVariant('none', 'fallback', { distinct_id: id })
    assert.equal(none.source, 'fallback')
    assert.equal(none.reason, 'NO_ROLLOUT_MATCH')
    assert.equal(none.value, 'fallback')
    const all = p.getVariant('all', 'fallback', { distinct_id: id })
    assert.equal(all.source, 'local')
    assert.ok(all.variantKey === 'control' || all.variantKey === 'treatment')
  }
})

test('a partial rollout takes exactly the users whose bucket is below the percentage', () => {
  const p = provider(flag('half', [{ rollout_percentage: 0.3 }]))
  let inside = 0
  for (const id of users) {
    const expected = normalizedHash(id, 'halfsalt0') < 0.3
    const result = p.getVariant('half', null, { distinct_id: id })
    assert.equal(result.source === 'local', expected, id)
    if (expected) inside++
  }
  assert.ok(inside > 80 && inside < 160, `about 30% expected, got ${inside}`)
})

test('a distinct id ending in a high surrogate pairs with a flag key starting with a low one', () => {
  const key = '\udc00odd'
  const p = provider(flag(key, [{ rollout_percentage: 0.5 }]))
  let differ = 0
  for (const user of users) {
    const id = `${user}\ud83d`
    const expected = normalizedHash(id, `${key}salt0`) < 0.5
    if (expected !== normalizedHash(`${user}\ufffd`, `\ufffdoddsalt0`) < 0.5) differ++
    assert.equal(p.getVariant(key, null, { distinct_id: id }).source === 'local', expected, id)
  }
  assert.ok(differ > 0, 'the pair must change some buckets for this test to mean anything')
})

test('variant splits follow the variant bucket over cumulative splits', () => {
  const p = provider(flag('ab', [{ rollout_percentage: 1 }]))
  const counts = { control: 0, treatment: 0 }
  for (const id of users) {
    const bucket = normalizedHash(id, 'absaltvariant')
    const result = p.getVariant('ab', null, { distinct_id: id })
    const expected = bucket < 0.5 ? 'control' : 'treatment'
    assert.equal(result.variantKey, expected, id)
    assert.equal(result.value, expected === 'control' ? 'blue' : 'green')
    assert.equal(result.experimentId, 'exp-1')
    assert.equal(result.isExperimentActive, true)
    assert.equal(result.isQaTester, false)
    counts[expected]++
  }
  assert.ok(counts.control > 150 && counts.treatment > 150)
})

test('rollouts are tried in order; each group has its own salt, splits and override', () => {
  const p = provider(
    flag('ordered', [
      {
        rollout_percentage: 1,
        runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'premium'] },
        variant_splits: { control: 0, treatment: 1 },
      },
      { rollout_percentage: 1, variant_override: { key: 'CONTROL' } },
    ]),
  )
  for (const id of users.slice(0, 50)) {
    const premium = p.getVariant('ordered', null, { distinct_id: id, custom_properties: { plan: 'premium' } })
    assert.equal(premium.variantKey, 'treatment')
    const free = p.getVariant('ordered', null, { distinct_id: id, custom_properties: { plan: 'free' } })
    assert.equal(free.variantKey, 'control')
    assert.equal(free.isQaTester, false)
  }
})

test('a later group catches users outside an earlier one', () => {
  const p = provider(flag('two', [{ rollout_percentage: 0.2 }, { rollout_percentage: 0.5 }]))
  for (const id of users) {
    const expected = normalizedHash(id, 'twosalt0') < 0.2 || normalizedHash(id, 'twosalt1') < 0.5
    assert.equal(p.getVariant('two', null, { distinct_id: id }).source === 'local', expected, id)
  }
})

test('without hash_salt the salts are key+"rollout" and key+"variant"', () => {
  const p = provider(flag('nosalt', [{ rollout_percentage: 0.5 }], { hash_salt: null }))
  for (const id of users) {
    const result = p.getVariant('nosalt', null, { distinct_id: id })
    if (normalizedHash(id, 'nosaltrollout') >= 0.5) assert.equal(result.reason, 'NO_ROLLOUT_MATCH')
    else assert.equal(result.variantKey, normalizedHash(id, 'nosaltvariant') < 0.5 ? 'control' : 'treatment')
  }
})

test('splits summing below the bucket fall on the last variant (in key order)', () => {
  const variants = [
    { key: 'b', value: 2, is_control: false, split: 0 },
    { key: 'a', value: 1, is_control: true, split: 0 },
  ]
  const p = provider(
    flag('zero', [{ rollout_percentage: 1 }], {
      ruleset: { variants, rollout: [{ rollout_percentage: 1 }] },
    }),
  )
  for (const id of users.slice(0, 30))
    assert.equal(p.getVariant('zero', 0, { distinct_id: id }).variantKey, 'b')
})

test('variants are ordered by key, so the server order does not matter', () => {
  const variants: FlagVariant[] = [
    { key: 'c', value: 'C', is_control: false, split: 0.2 },
    { key: 'a', value: 'A', is_control: true, split: 0.5 },
    { key: 'b', value: 'B', is_control: false, split: 0.3 },
  ]
  const rollout = [{ rollout_percentage: 1 }]
  const shuffled = provider(flag('abc', rollout, { ruleset: { variants, rollout } }))
  const sorted = provider(
    flag('abc', rollout, {
      ruleset: { variants: [...variants].sort((x, y) => (x.key < y.key ? -1 : 1)), rollout },
    }),
  )
  for (const id of users) {
    const expectedBucket = normalizedHash(id, 'abcsaltvariant')
    const expected = expectedBucket < 0.5 ? 'a' : expectedBucket < 0.8 ? 'b' : 'c'
    assert.equal(shuffled.getVariant('abc', null, { distinct_id: id }).variantKey, expected)
    assert.equal(sorted.getVariant('abc', null, { distinct_id: id }).variantKey, expected)
  }
})

test('QA testers get their variant (matched case-insensitively), keyed on distinct_id', () => {
  const p = provider(
    flag('qa', [{ rollout_percentage: 0 }], {
      context: 'device_id',
      ruleset: {
        variants: AB,
        rollout: [{ rollout_percentage: 0 }],
        test: { users: { alice: 'TREATMENT', bob: 'nope' } },
      },
    }),
  )
  const alice = p.getVariant('qa', null, { distinct_id: 'alice', device_id: 'd1' })
  assert.equal(alice.variantKey, 'treatment')
  assert.equal(alice.value, 'green')
  assert.equal(alice.isQaTester, true)
  assert.equal(alice.source, 'local')
  // An unknown variant name is ignored: normal evaluation (here: no rollout).
  assert.equal(p.getVariant('qa', null, { distinct_id: 'bob', device_id: 'd2' }).reason, 'NO_ROLLOUT_MATCH')
  // The distinct id lookup itself is exact.
  assert.equal(p.getVariant('qa', null, { distinct_id: 'ALICE', device_id: 'd3' }).reason, 'NO_ROLLOUT_MATCH')
  // The assignment key must still be present.
  assert.equal(p.getVariant('qa', null, { distinct_id: 'alice' }).reason, 'MISSING_CONTEXT_KEY')
})

test('runtime rules: keys and string values are compared case-insensitively', () => {
  const rule = { and: [{ '==': [{ var: 'plan' }, 'Premium'] }, { '>=': [{ var: 'seats' }, 10] }] }
  const p = provider(flag('rule', [{ rollout_percentage: 1, runtime_evaluation_rule: rule }]))
  const ok = p.getVariant('rule', null, {
    distinct_id: 'u',
    custom_properties: { PLAN: 'PREMIUM', Seats: 12 },
  })
  assert.equal(ok.source, 'local')
  const few = p.getVariant('rule', null, {
    distinct_id: 'u',
    custom_properties: { plan: 'premium', seats: 3 },
  })
  assert.equal(few.reason, 'NO_ROLLOUT_MATCH')
  const none = p.getVariant('rule', null, { distinct_id: 'u' })
  assert.equal(none.reason, 'NO_ROLLOUT_MATCH')
})

test('a rule that throws or uses an unknown operation is not satisfied', () => {
  const p = provider(
    flag('bad', [{ rollout_percentage: 1, runtime_evaluation_rule: { no_such_op: [1, 2] } }]),
  )
  assert.equal(
    p.getVariant('bad', 'x', { distinct_id: 'u', custom_properties: {} }).reason,
    'NO_ROLLOUT_MATCH',
  )
})

test('a failing rule lets the next group decide; a failing context ends the evaluation', () => {
  const p = provider(
    flag('fails', [
      { rollout_percentage: 1, runtime_evaluation_rule: { '*': [] }, variant_override: { key: 'treatment' } },
      { rollout_percentage: 1, variant_override: { key: 'control' } },
    ]),
  )
  assert.equal(p.getVariant('fails', null, { distinct_id: 'u', custom_properties: {} }).variantKey, 'control')
  const rule = { '==': [{ var: 'plan' }, 'pro'] }
  const q = provider(flag('plan', [{ rollout_percentage: 1, runtime_evaluation_rule: rule }]))
  const properties = {
    get plan(): string {
      throw new Error('boom')
    },
  }
  const result = q.getVariant('plan', 'fb', { distinct_id: 'u', custom_properties: properties })
  assert.equal(result.reason, 'MISSING_CONTEXT_KEY')
  assert.deepEqual(q.getAllVariants({ distinct_id: 'u', custom_properties: properties }), {})
  // Only what the rule reads is read.
  const other = {
    plan: 'PRO',
    get unread(): string {
      throw new Error('boom')
    },
  }
  assert.equal(q.getVariant('plan', 'fb', { distinct_id: 'u', custom_properties: other }).source, 'local')
})

test('stats: rules compiled, and rules left to json-logic-js', () => {
  const p = provider(
    flag('compiled', [
      { rollout_percentage: 1, runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'pro'] } },
      { rollout_percentage: 1, runtime_evaluation_definition: { plan: 'pro' } },
      { rollout_percentage: 1 },
    ]),
    // A dotted operation name walks json-logic-js's operation table: "==" is a function whose
    // prototype's constructor is "==" itself.
    flag('interpreted', [
      { rollout_percentage: 1, runtime_evaluation_rule: { '==.prototype.constructor': [{ var: 'n' }, 1] } },
    ]),
  )
  assert.deepEqual(p.stats(), { flags: 2, rules: 2, interpretedRules: 1 })
  const ctx = (n: unknown) => ({ distinct_id: 'u', custom_properties: { n } })
  assert.equal(p.getVariant('interpreted', 'fb', ctx('1')).source, 'local')
  assert.equal(p.getVariant('interpreted', 'fb', ctx(2)).reason, 'NO_ROLLOUT_MATCH')
})

test('semver_compare and datetime_compare are available to rules', () => {
  const p = provider(
    flag('versions', [
      {
        rollout_percentage: 1,
        runtime_evaluation_rule: { semver_compare: [{ var: 'app_version' }, '>=', '2.1'] },
      },
    ]),
    flag('dates', [
      {
        rollout_percentage: 1,
        runtime_evaluation_rule: { datetime_compare: [{ var: 'signup' }, '<', Date.UTC(2024, 0, 1)] },
      },
    ]),
  )
  const version = (v: string) =>
    p.getVariant('versions', null, { distinct_id: 'u', custom_properties: { app_version: v } })
  assert.equal(version('v2.1.0').source, 'local')
  assert.equal(version('2.10').source, 'local')
  assert.equal(version('2.1.0-beta.1').reason, 'NO_ROLLOUT_MATCH')
  assert.equal(version('1.9.9').reason, 'NO_ROLLOUT_MATCH')
  const date = (d: unknown) =>
    p.getVariant('dates', null, { distinct_id: 'u', custom_properties: { signup: d } })
  assert.equal(date('2023-06-01T12:00:00Z').source, 'local')
  assert.equal(date(new Date('2023-06-01T12:00:00Z')).source, 'local')
  assert.equal(date('2024-06-01T12:00:00Z').reason, 'NO_ROLLOUT_MATCH')
  assert.equal(date('not a date').reason, 'NO_ROLLOUT_MATCH')
})

test('legacy runtime_evaluation_definition: every key present and equal, case-insensitively', () => {
  const p = provider(
    flag('legacy', [
      { rollout_percentage: 1, runtime_evaluation_definition: { Plan: 'Premium', region: 'EU' } },
    ]),
  )
  const ctx = (props?: Record<string, unknown>) => ({ distinct_id: 'u', custom_properties: props })
  assert.equal(p.getVariant('legacy', null, ctx({ plan: 'PREMIUM', Region: 'eu' })).source, 'local')
  assert.equal(p.getVariant('legacy', null, ctx({ plan: 'premium' })).reason, 'NO_ROLLOUT_MATCH')
  assert.equal(p.getVariant('legacy', null, ctx({ plan: 'free', region: 'eu' })).reason, 'NO_ROLLOUT_MATCH')
  assert.equal(p.getVariant('legacy', null, ctx()).reason, 'NO_ROLLOUT_MATCH')
})

test('the assignment key is named by flag.context: missing, null or empty → MISSING_CONTEXT_KEY', () => {
  const p = provider(flag('company', [{ rollout_percentage: 1 }], { context: 'company_id' }))
  for (const ctx of [
    { distinct_id: 'u' },
    { distinct_id: 'u', company_id: null },
    { distinct_id: 'u', company_id: '' },
  ]) {
    const result = p.getVariant('company', 'default', ctx)
    assert.equal(result.reason, 'MISSING_CONTEXT_KEY')
    assert.equal(result.message, 'company_id')
    assert.equal(result.value, 'default')
  }
  const numeric = p.getVariant('company', null, { company_id: 42 })
  assert.equal(numeric.variantKey, normalizedHash('42', 'companysaltvariant') < 0.5 ? 'control' : 'treatment')
  assert.equal(p.getVariant('company', null, { company_id: 0 }).source, 'local')
})

test('unknown flags, isEnabled, getVariantValue and getAllVariants', () => {
  const gate = flag('gate', [{ rollout_percentage: 1 }], {
    ruleset: {
      variants: [{ key: 'on', value: true, is_control: false, split: 1 }],
      rollout: [{ rollout_percentage: 1 }],
    },
  })
  const text = flag('text', [{ rollout_percentage: 1 }], {
    ruleset: {
      variants: [{ key: 'on', value: 'true', is_control: false, split: 1 }],
      rollout: [{ rollout_percentage: 1 }],
    },
  })
  const tracked: string[] = []
  const tracker: ExposureTracker = { track: async (id) => void tracked.push(id) }
  const p = new LocalFlagsProvider({
    definitions: { flags: [gate, text, flag('off', [{ rollout_percentage: 0 }])] },
    tracker,
  })
  const missing = p.getVariant('nope', 7, { distinct_id: 'u' })
  assert.deepEqual([missing.reason, missing.value, missing.source], ['FLAG_NOT_FOUND', 7, 'fallback'])
  assert.equal(p.isEnabled('gate', { distinct_id: 'u' }), true)
  assert.equal(p.isEnabled('text', { distinct_id: 'u' }), false)
  assert.equal(p.isEnabled('nope', { distinct_id: 'u' }), false)
  assert.equal(p.getVariantValue('text', 'x', { distinct_id: 'u' }), 'true')
  assert.equal(tracked.length, 2)
  const all = p.getAllVariants({ distinct_id: 'v' })
  assert.deepEqual(Object.keys(all).sort(), ['gate', 'text'])
  assert.equal(all.gate?.value, true)
  assert.equal(tracked.length, 2, 'getAllVariants never tracks')
  assert.equal(p.trackExposure('gate', all.gate!, { distinct_id: 'v' }), true)
  assert.deepEqual(tracked, ['u', 'u', 'v'])
})

test('matching results are shared frozen objects; evaluation never throws on odd contexts', () => {
  const p = provider(flag('all', [{ rollout_percentage: 1 }]))
  const a = p.getVariant('all', null, { distinct_id: 'same' })
  assert.equal(p.getVariant('all', null, { distinct_id: 'same' }), a)
  assert.ok(Object.isFrozen(a))
  const hostile = {
    toString() {
      throw new Error('boom')
    },
  }
  assert.equal(p.getVariant('all', 'fb', { distinct_id: hostile } as never).value, 'fb')
  assert.equal(p.getVariant('all', 'fb', null as never).reason, 'MISSING_CONTEXT_KEY')
})

test('definitions from a file; invalid flags skipped; invalid documents rejected at construction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventwire-flags-'))
  try {
    const file = join(dir, 'flags.json')
    writeFileSync(
      file,
      JSON.stringify({ flags: [flag('ok', [{ rollout_percentage: 1 }]), { key: 'broken' }] }),
    )
    const p = new LocalFlagsProvider({ definitions: file })
    assert.equal(p.areFlagsReady(), true)
    assert.deepEqual(p.flagKeys(), ['ok'])
    writeFileSync(file, '{"flags": ')
    assert.throws(
      () => new LocalFlagsProvider({ definitions: file }),
      (e) => e instanceof ConfigError && e.option === 'definitions',
    )
    assert.throws(() => new LocalFlagsProvider({ definitions: join(dir, 'missing.json') }), ConfigError)
    assert.throws(() => new LocalFlagsProvider({ definitions: { nope: [] } as never }), ConfigError)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
