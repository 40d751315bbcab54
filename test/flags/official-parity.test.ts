import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  type FlagContext,
  type FlagDefinition,
  type FlagRollout,
  LocalFlagsProvider,
} from '../../src/flags/index.js'

/** The local evaluator of Mixpanel's official Node SDK (`mixpanel` on npm, a dev dependency). */
interface OfficialLocalFlags {
  flagDefinitions: Map<string, FlagDefinition>
  getVariant(
    key: string,
    fallback: { variant_value: unknown },
    context: FlagContext,
    reportExposure: boolean,
  ): {
    variant_key?: string
    variant_value: unknown
    variant_source: string
    is_qa_tester?: boolean
    experiment_id?: string
    is_experiment_active?: boolean
    fallback_reason?: { kind: string; message: string | null }
  }
}
const OfficialLocalFlags = createRequire(import.meta.url)('mixpanel/lib/flags/local_flags.js') as new (
  token: string,
  config: object,
  tracker: () => void,
  logger: undefined,
) => OfficialLocalFlags

function official(flags: FlagDefinition[]): OfficialLocalFlags {
  const provider = new OfficialLocalFlags('token', {}, () => {}, undefined)
  provider.flagDefinitions = new Map(flags.map((f) => [f.key, f]))
  return provider
}

const RULES: unknown[] = [
  { '==': [{ var: 'plan' }, 'Premium'] },
  { in: [{ var: 'country' }, ['de', 'FR', 'us']] },
  { '>': [{ var: 'seats' }, 5] },
  { '!': { var: 'beta' } },
  { semver_compare: [{ var: 'app_version' }, '>=', '2.1.0'] },
]

const variantKeys = ['a', 'b', 'c', 'control', 'treatment', 'Z']

const percent = fc.constantFrom(0, 0.01, 0.1, 0.25, 0.333, 0.5, 0.77, 0.99, 1)

const rolloutArb: fc.Arbitrary<FlagRollout> = fc.record(
  {
    rollout_percentage: percent,
    runtime_evaluation_rule: fc.constantFrom(...RULES),
    runtime_evaluation_definition: fc.constantFrom({ plan: 'PREMIUM' }, { country: 'de', plan: 'free' }),
    variant_splits: fc.dictionary(fc.constantFrom(...variantKeys), percent, { maxKeys: 3 }),
    variant_override: fc.record({ key: fc.constantFrom('A', 'b', 'missing') }),
  },
  { requiredKeys: ['rollout_percentage'] },
)

const flagArb: fc.Arbitrary<FlagDefinition> = fc
  .record({
    key: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/),
    context: fc.constantFrom('distinct_id', 'device_id', 'company_id'),
    hash_salt: fc.option(fc.stringMatching(/^[0-9a-f]{0,10}$/), { nil: null }),
    variants: fc.uniqueArray(
      fc.record({
        key: fc.constantFrom(...variantKeys),
        split: fc.option(percent, { nil: undefined }),
        value: fc.jsonValue({ maxDepth: 1 }),
      }),
      {
        selector: (v) => v.key,
        minLength: 1,
        maxLength: 4,
      },
    ),
    rollout: fc.array(rolloutArb, { minLength: 0, maxLength: 3 }),
    testUsers: fc.dictionary(
      fc.constantFrom('user-1', 'user-7', 'qa'),
      fc.constantFrom('A', 'treatment', 'nope'),
      {
        maxKeys: 2,
      },
    ),
    experiment_id: fc.option(fc.constant('exp-1'), { nil: undefined }),
    is_experiment_active: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((f) => ({
    id: 'id',
    name: f.key,
    key: f.key,
    status: 'enabled',
    project_id: 1,
    context: f.context,
    hash_salt: f.hash_salt,
    experiment_id: f.experiment_id,
    is_experiment_active: f.is_experiment_active,
    ruleset: {
      // Key-sorted: the official Node SDK keeps the server's order, eventwire sorts by key.
      variants: f.variants
        .map((v) => ({ key: v.key, value: v.value, is_control: false, split: v.split }))
        .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
      rollout: f.rollout,
      test: { users: f.testUsers },
    },
  }))

const contextArb: fc.Arbitrary<FlagContext> = fc.record(
  {
    // Object.prototype names are left out: the official SDK reads QA testers with a plain property
    // lookup and throws on ids such as "toString"; eventwire uses a Map.
    distinct_id: fc.oneof(
      fc.constantFrom('user-1', 'user-7', 'qa'),
      fc.string({ minLength: 1, maxLength: 12 }).filter((id) => !(id in Object.prototype)),
    ),
    device_id: fc.string({ minLength: 1, maxLength: 12 }),
    company_id: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 10_000 })),
    custom_properties: fc.record(
      {
        Plan: fc.constantFrom('premium', 'Premium', 'FREE'),
        country: fc.constantFrom('DE', 'fr', 'jp'),
        seats: fc.integer({ min: 0, max: 10 }),
        beta: fc.boolean(),
        app_version: fc.constantFrom('2.0.9', 'v2.1', '2.1.0-rc.1', '3'),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['distinct_id'] },
)

function compare(flags: FlagDefinition[], contexts: FlagContext[]): void {
  const mine = new LocalFlagsProvider({ definitions: { flags }, reportExposure: false })
  const theirs = official(flags)
  for (const context of contexts) {
    for (const flag of flags) {
      const a = mine.getVariant(flag.key, 'fallback', context)
      const b = theirs.getVariant(flag.key, { variant_value: 'fallback' }, context, false)
      const label = JSON.stringify({ flag, context })
      assert.equal(a.source, b.variant_source, label)
      assert.equal(a.variantKey, b.variant_key, label)
      assert.deepEqual(a.value, b.variant_value, label)
      if (a.source === 'fallback') {
        assert.equal(a.reason, b.fallback_reason?.kind, label)
      } else {
        assert.equal(a.isQaTester, b.is_qa_tester, label)
        assert.equal(a.experimentId, b.experiment_id, label)
        assert.equal(a.isExperimentActive, b.is_experiment_active, label)
      }
    }
  }
}

test('same variant as the official mixpanel evaluator for 20,000 users of typical flags', () => {
  const flags: FlagDefinition[] = [
    {
      id: '1',
      name: 'Checkout',
      key: 'new-checkout',
      status: 'enabled',
      project_id: 1,
      context: 'distinct_id',
      experiment_id: 'e-1',
      is_experiment_active: true,
      hash_salt: '7f3a9c',
      ruleset: {
        variants: [
          { key: 'control', value: false, is_control: true, split: 0.34 },
          { key: 'treatment-a', value: true, is_control: false, split: 0.33 },
          { key: 'treatment-b', value: { copy: 'B' }, is_control: false, split: 0.33 },
        ],
        rollout: [
          { rollout_percentage: 1, runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'Enterprise'] } },
          { rollout_percentage: 0.4, variant_splits: { control: 0.5, 'treatment-a': 0.5, 'treatment-b': 0 } },
        ],
        test: { users: { 'user-42': 'TREATMENT-B' } },
      },
    },
    {
      id: '2',
      name: 'Gate',
      key: 'device-gate',
      status: 'enabled',
      project_id: 1,
      context: 'device_id',
      hash_salt: null,
      ruleset: {
        variants: [
          { key: 'off', value: false, is_control: true, split: 0 },
          { key: 'on', value: true, is_control: false, split: 1 },
        ],
        rollout: [{ rollout_percentage: 0.25 }],
      },
    },
  ]
  const contexts: FlagContext[] = []
  for (let i = 0; i < 20_000; i++) {
    contexts.push({
      distinct_id: `user-${i}`,
      device_id: `device-${(i * 7919) % 100_003}`,
      custom_properties: { Plan: i % 5 === 0 ? 'ENTERPRISE' : 'free' },
    })
  }
  compare(flags, contexts)
})

test('same results as the official mixpanel evaluator on generated definitions and contexts', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(flagArb, { selector: (f) => f.key, minLength: 1, maxLength: 4 }),
      fc.array(contextArb, { minLength: 1, maxLength: 25 }),
      (flags, contexts) => compare(flags, contexts),
    ),
    { numRuns: 400 },
  )
})

test('same answers as the official mixpanel evaluator for rules with object literal operands', () => {
  // An object that is not an operation (no key, or several) is data: it converts to
  // "[object Object]", compares by identity, has no indexOf.
  const rules: unknown[] = [
    { '!=': [{}, 1] },
    { '==': [{}, 1] },
    { '==': [{}, {}] },
    { '!=': [{ var: 'obj' }, 1] },
    { '==': [{ var: 'obj' }, { var: 'obj' }] },
    { cat: [{}, { var: 'plan' }] },
    { in: [{}, [{}, 1]] },
    { in: ['a', {}] },
    { '!': {} },
    { '!!': [{ a: 1, b: 2 }] },
    { '<': [{}, 1] },
    { '+': [{}, 1] },
    { merge: [{}, [1]] },
    { var: [{}] },
    { if: [{}, 'yes', 'no'] },
    { missing: [{}] },
    { and: [{ '!==': [{ var: 'obj' }, null] }, { '==': [{ var: 'obj.Kind' }, 'Pro'] }] },
    { some: [{ var: 'list' }, { '!=': [{ var: '' }, 'a'] }] },
    { '==': [null, 0] },
    { '==': [[], false] },
    { '!': [[]] },
    // Throws in json-logic-js, past the properties: the rule is not satisfied.
    { var: 'constructor.caller' },
    { '!': { var: 'list.map.caller' } },
  ]
  const flags = rules.map(
    (rule, i): FlagDefinition => ({
      id: String(i),
      name: `rule-${i}`,
      key: `rule-${i}`,
      status: 'enabled',
      project_id: 1,
      context: 'distinct_id',
      hash_salt: 'salt',
      ruleset: {
        variants: [{ key: 'on', value: true, is_control: false, split: 1 }],
        rollout: [{ rollout_percentage: 1, runtime_evaluation_rule: rule }],
      },
    }),
  )
  const contexts: FlagContext[] = [
    { distinct_id: 'u1', custom_properties: { Obj: { Kind: 'PRO', n: 1 }, plan: 'Free', list: [{}, 'A'] } },
    { distinct_id: 'u2', custom_properties: { obj: 'x', list: ['a'] } },
    { distinct_id: 'u3', custom_properties: {} },
    { distinct_id: 'u4' },
  ]
  compare(flags, contexts)
  // Mixpanel matches the first rule; an interpreter over null-prototype copies throws on it.
  const mine = new LocalFlagsProvider({ definitions: { flags }, reportExposure: false })
  assert.equal(mine.getVariant('rule-0', 'fallback', contexts[0]!).source, 'local')
})
