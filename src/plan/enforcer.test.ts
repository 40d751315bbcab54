import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../errors/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import { createPlanEnforcer } from './enforcer.js'
import { loadPlan } from './load.js'
import type { PlanVerdict } from './types.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const plan = loadPlan(SAMPLE)

const signup: JsonObject = { platform: 'web', signup_method: 'email', plan: 'pro', marketing_opt_in: true }
const order: JsonObject = {
  platform: 'server',
  app_version: '4.2.0',
  order_id: '5f0c7a52-8d2c-4b8e-9a51-0a3c2f1e9b11',
  revenue: 49.9,
  currency: 'EUR',
  coupon: null,
  completed_at: '2024-05-01T10:00:00.000Z',
  payment_method: 'card',
  first_order: true,
  discount: 5,
  items: [{ sku: 'A-1', quantity: 2, price: 19.95 }],
  shipping: { method: 'express', country: 'DE' },
}

const codes = (v: PlanVerdict<JsonValue>) => v.issues.map((i) => i.code)
const unfixed = (v: PlanVerdict<JsonValue>) => v.issues.filter((i) => !i.fixed).map((i) => i.code)

describe('valid calls', () => {
  test('a planned event passes unchanged with the shared empty issue list', () => {
    const enforcer = createPlanEnforcer(plan, { policy: 'reject' })
    const a = enforcer.event('Order completed', order)
    const b = enforcer.event('User signs up', signup)
    assert.equal(a.action, 'send')
    assert.equal(a.name, 'Order completed')
    assert.equal(a.properties, order)
    assert.equal(a.planVersion, '2.1.0')
    assert.deepEqual(a.issues, [])
    assert.equal(a.issues, b.issues)
    assert.ok(Object.isFrozen(a.issues))
    assert.equal(enforcer.stats().passed, 2)
  })

  test('reserved names ($device_id, mp_*, time) are allowed unless declared', () => {
    const enforcer = createPlanEnforcer(plan, { policy: 'reject' })
    const v = enforcer.event('User signs up', { ...signup, $device_id: 'd1', mp_country_code: 'DE', time: 5 })
    assert.equal(v.action, 'send')
    assert.deepEqual(v.issues, [])
  })

  test('an event that allows additional properties accepts unplanned ones', () => {
    const v = createPlanEnforcer(plan, { policy: 'reject' }).event('Page viewed', {
      platform: 'web',
      path: '/',
      anything: 1,
    })
    assert.equal(v.action, 'send')
  })
})

describe('"true" vs true, "User Signs Up" vs "User signs up", alias of a renamed event', () => {
  const cases: Array<{ label: string; name: string; props: JsonObject; code: string; expect: JsonObject }> = [
    {
      label: 'string boolean',
      name: 'User signs up',
      props: { ...signup, marketing_opt_in: 'true' },
      code: 'invalid_type',
      expect: signup,
    },
    {
      label: 'name case',
      name: 'User Signs Up',
      props: signup,
      code: 'name_case_mismatch',
      expect: signup,
    },
    { label: 'alias', name: 'Signed Up', props: signup, code: 'alias_used', expect: signup },
  ]
  for (const c of cases) {
    test(`${c.label}: normalised under 'fix'`, () => {
      const v = createPlanEnforcer(plan, { policy: 'fix' }).event(c.name, c.props)
      assert.equal(v.action, 'send')
      assert.equal(v.name, 'User signs up')
      assert.deepEqual(v.properties, c.expect)
      assert.deepEqual(codes(v), [c.code])
      assert.equal(v.issues[0]!.fixed, true)
    })
    test(`${c.label}: rejected under 'reject'`, () => {
      const v = createPlanEnforcer(plan, { policy: 'reject' }).event(c.name, c.props)
      assert.equal(v.action, 'reject')
      assert.equal(v.name, c.name)
      assert.deepEqual(v.properties, c.props)
      assert.deepEqual(codes(v), [c.code])
      assert.equal(v.issues[0]!.fixed, undefined)
    })
  }

  test('"false" becomes false and the caller object is not modified', () => {
    const props = { ...signup, marketing_opt_in: 'FALSE' }
    const v = createPlanEnforcer(plan, { policy: 'fix' }).event('User signs up', props)
    assert.equal(v.properties.marketing_opt_in, false)
    assert.equal(props.marketing_opt_in, 'FALSE')
  })

  test('a snake_case or camelCase spelling of the name is a case mismatch too', () => {
    const enforcer = createPlanEnforcer(plan, { policy: 'fix' })
    for (const name of ['user_signs_up', 'userSignsUp', 'USER SIGNS UP']) {
      const v = enforcer.event(name, signup)
      assert.equal(v.name, 'User signs up', name)
      assert.deepEqual(codes(v), ['name_case_mismatch'])
    }
    assert.deepEqual(codes(enforcer.event('SIGNUP_COMPLETED', signup)), ['alias_used'])
  })
})

describe('every issue code', () => {
  const reject = createPlanEnforcer(plan, { policy: 'reject' })
  test('unplanned_event', () => {
    const v = reject.event('Button clicked', { platform: 'web' })
    assert.deepEqual(v.issues, [
      { code: 'unplanned_event', path: 'event', message: 'event "Button clicked" is not in the plan' },
    ])
  })
  test('deprecated_event names the replacement', () => {
    const v = reject.event('Purchase', { platform: 'web', amount: 3 })
    assert.deepEqual(codes(v), ['deprecated_event'])
    assert.match(v.issues[0]!.message, /send "Order completed" instead/)
  })
  test('missing_property, also nested inside list items', () => {
    const { currency: _, ...rest } = order
    const v = reject.event('Order completed', { ...rest, items: [{ sku: 'A' }] })
    assert.deepEqual(
      v.issues.map((i) => [i.code, i.path]),
      [
        ['missing_property', 'properties.currency'],
        ['missing_property', 'properties.items[0].quantity'],
      ],
    )
  })
  test('unplanned_property at the top and inside nested objects', () => {
    const v = reject.event('Order completed', {
      ...order,
      gift: true,
      shipping: { method: 'express', zip: '1' },
    })
    assert.deepEqual(
      v.issues.map((i) => [i.code, i.path]),
      [
        ['unplanned_property', 'properties.gift'],
        ['unplanned_property', 'properties.shipping.zip'],
      ],
    )
  })
  test('property_case_mismatch does not also report the property as missing', () => {
    const { currency: _, ...rest } = order
    const v = reject.event('Order completed', { ...rest, Currency: 'EUR' })
    assert.deepEqual(
      v.issues.map((i) => [i.code, i.path]),
      [['property_case_mismatch', 'properties.Currency']],
    )
  })
  test('invalid_type hides value errors at the same path', () => {
    const v = reject.event('Order completed', { ...order, revenue: 'lots' })
    assert.deepEqual(v.issues, [
      { code: 'invalid_type', path: 'properties.revenue', message: 'expected number, got a string' },
    ])
  })
  test('invalid_value for enum, pattern, format, range, length, const, uniqueItems', () => {
    const v = reject.event('Subscription changed', {
      platform: 'web',
      app_version: 'v4',
      from_plan: 'gold',
      to_plan: 'pro',
      seats: 0,
      renewal_date: 'soon',
      discount_codes: ['A', 'A'],
      schema_version: 3,
    })
    assert.deepEqual(
      v.issues.map((i) => [i.code, i.path]),
      [
        ['invalid_value', 'properties.app_version'],
        ['invalid_value', 'properties.from_plan'],
        ['invalid_value', 'properties.seats'],
        ['invalid_value', 'properties.renewal_date'],
        ['invalid_value', 'properties.discount_codes'],
        ['invalid_value', 'properties.schema_version'],
      ],
    )
    assert.equal(v.issues[1]!.message, 'expected one of "free", "pro", "team"')
  })
  test('unplanned_group', () => {
    const v = reject.group('team_id', '$set', { name: 'x' })
    assert.deepEqual(codes(v), ['unplanned_group'])
    assert.equal(v.action, 'reject')
  })
  test('messages never contain property values other than planned enum values', () => {
    const v = reject.event('User signs up', { ...signup, referrer: 'secret-token-123', age: 'secret-age' })
    for (const issue of v.issues) assert.doesNotMatch(issue.message, /secret/)
  })
})

describe('policies', () => {
  const bad = { ...signup, marketing_opt_in: 'true', extra: 1 }
  test("'send' reports and sends unchanged", () => {
    const v = createPlanEnforcer(plan, { policy: 'send' }).event('User signs up', bad)
    assert.equal(v.action, 'send')
    assert.equal(v.properties, bad)
    assert.deepEqual(codes(v), ['unplanned_property', 'invalid_type'])
  })
  test("'fix' repairs types and strips unplanned properties, then re-checks", () => {
    const v = createPlanEnforcer(plan, { policy: 'fix' }).event('User signs up', bad)
    assert.equal(v.action, 'send')
    assert.deepEqual(v.properties, signup)
    assert.deepEqual(unfixed(v), [])
    assert.deepEqual(codes(v).sort(), ['invalid_type', 'unplanned_property'])
  })
  test("'fix' sends and reports what it cannot repair", () => {
    const { plan: _, ...rest } = signup
    const v = createPlanEnforcer(plan, { policy: 'fix' }).event('User signs up', rest)
    assert.equal(v.action, 'send')
    assert.deepEqual(unfixed(v), ['missing_property'])
  })
  test("'drop' drops the whole call and counts it", () => {
    const enforcer = createPlanEnforcer(plan, { policy: 'drop' })
    const v = enforcer.event('User signs up', bad)
    assert.equal(v.action, 'drop')
    assert.equal(enforcer.stats().dropped, 1)
  })
  test("'reject' rejects", () => {
    const enforcer = createPlanEnforcer(plan, { policy: 'reject' })
    assert.equal(enforcer.event('User signs up', bad).action, 'reject')
    assert.equal(enforcer.stats().rejected, 1)
  })
  test('per-code map: the most severe remaining action wins; fixes apply first', () => {
    const enforcer = createPlanEnforcer(plan, {
      policy: { default: 'send', invalid_type: 'fix', unplanned_property: 'drop' },
    })
    assert.equal(enforcer.event('User signs up', bad).action, 'drop')
    const v = enforcer.event('User signs up', { ...signup, marketing_opt_in: 'true' })
    assert.equal(v.action, 'send')
    assert.equal(v.properties.marketing_opt_in, true)
    const r = createPlanEnforcer(plan, { policy: { alias_used: 'reject' }, env: 'production' })
    assert.equal(r.event('Signed Up', signup).action, 'reject')
    assert.equal(r.event('User Signs Up', signup).action, 'send')
  })
  test('defaults: production repairs and reports, development and test reject', () => {
    const production = createPlanEnforcer(plan, { env: 'production' })
    const p = production.event('User Signs Up', { ...signup, marketing_opt_in: 'true', extra: 1 })
    assert.equal(p.action, 'send')
    assert.equal(p.name, 'User signs up')
    assert.equal(p.properties.marketing_opt_in, true)
    assert.equal(p.properties.extra, 1, 'production keeps unplanned properties')
    assert.equal(production.event('Nope', {}).action, 'send')
    assert.equal(
      createPlanEnforcer(plan, {}).policy.invalid_type,
      process.env.NODE_ENV === 'test' ? 'reject' : 'fix',
    )
    for (const env of ['development', 'test']) {
      assert.equal(createPlanEnforcer(plan, { env }).event('User Signs Up', signup).action, 'reject', env)
    }
    assert.equal(createPlanEnforcer(plan, { env: 'staging' }).policy.alias_used, 'fix')
  })
  test('bad policies throw ConfigError naming planPolicy', () => {
    assert.throws(
      () => createPlanEnforcer(plan, { policy: 'ignore' as never }),
      (e) => e instanceof ConfigError && e.option === 'planPolicy',
    )
    assert.throws(
      () => createPlanEnforcer(plan, { policy: { invalid_colour: 'send' } as never }),
      (e) => e instanceof ConfigError && /invalid_colour/.test(e.message),
    )
    assert.throws(
      () => createPlanEnforcer(plan, { policy: { invalid_type: 'maybe' } as never }),
      (e) => e instanceof ConfigError && e.option === 'planPolicy.invalid_type',
    )
  })
})

describe('repairs under fix', () => {
  const fix = createPlanEnforcer(plan, { policy: 'fix' })
  test('numeric strings, enum case, loose and epoch dates, nested values', () => {
    const v = fix.event('Order completed', {
      ...order,
      platform: 'Server',
      revenue: '49.90',
      completed_at: '2024-05-01 10:00',
      items: [{ sku: 'A-1', quantity: '2' }],
      shipping: { method: ' EXPRESS ' },
    })
    assert.equal(v.action, 'send')
    assert.deepEqual(unfixed(v), [])
    assert.equal(v.properties.platform, 'server')
    assert.equal(v.properties.revenue, 49.9)
    assert.equal(v.properties.completed_at, '2024-05-01T10:00:00.000Z')
    assert.deepEqual(v.properties.items, [{ sku: 'A-1', quantity: 2 }])
    assert.deepEqual(v.properties.shipping, { method: 'express' })
    const epoch = fix.event('Order completed', { ...order, completed_at: 1714557600 as never })
    assert.equal(epoch.properties.completed_at, '2024-05-01T10:00:00.000Z')
  })
  test('a renamed property is then type-checked and repaired too', () => {
    const v = fix.event('User signs up', { ...signup, Age: '42' })
    assert.deepEqual(v.properties, { ...signup, age: 42 })
    assert.deepEqual(codes(v), ['property_case_mismatch', 'invalid_type'])
  })
  test('a value that cannot be repaired stays and is reported', () => {
    const v = fix.event('User signs up', { ...signup, plan: 'enterprise' })
    assert.equal(v.properties.plan, 'enterprise')
    assert.deepEqual(unfixed(v), ['invalid_value'])
  })
})

test('never throws, whatever the input', () => {
  const enforcer = createPlanEnforcer(plan, { policy: 'fix' })
  const inputs: unknown[] = [null, undefined, 5, 'x', [], { a: { b: { c: [1, { d: null }] } } }]
  for (const input of inputs) {
    for (const name of ['User signs up', 'Order completed', '', 'Signed Up']) {
      const v = enforcer.event(name, input as JsonObject)
      assert.ok(['send', 'drop', 'reject'].includes(v.action))
    }
    for (const op of ['$set', '$add', '$append', '$union', '$unset', '$remove', '$other']) {
      assert.ok(enforcer.people(op, input as JsonObject).action)
      assert.ok(enforcer.group('company_id', op, input as JsonObject).action)
    }
  }
})

test('stats count outcomes and issues by code', () => {
  const enforcer = createPlanEnforcer(plan, { policy: { default: 'fix', unplanned_event: 'drop' } })
  enforcer.event('User signs up', signup)
  enforcer.event('Signed Up', signup)
  enforcer.event('Nope', {})
  enforcer.event('User signs up', { ...signup, plan: 'enterprise' })
  const stats = enforcer.stats()
  assert.deepEqual(
    {
      checked: stats.checked,
      passed: stats.passed,
      fixed: stats.fixed,
      reported: stats.reported,
      dropped: stats.dropped,
    },
    { checked: 4, passed: 1, fixed: 1, reported: 1, dropped: 1 },
  )
  assert.equal(stats.issues.alias_used, 1)
  assert.equal(stats.issues.unplanned_event, 1)
  assert.equal(stats.issues.invalid_value, 1)
})
