import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { JsonValue } from '../message/index.js'
import { createPlanEnforcer } from './enforcer.js'
import { loadPlan } from './load.js'
import type { PlanVerdict } from './types.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const plan = loadPlan(SAMPLE)
const codes = (v: PlanVerdict<JsonValue>) => v.issues.map((i) => i.code)

describe('profiles', () => {
  const reject = createPlanEnforcer(plan, { policy: 'reject' })
  const fix = createPlanEnforcer(plan, { policy: 'fix' })
  test('$set and $set_once check every property; nothing is required', () => {
    assert.equal(reject.people('$set', { plan: 'pro', $email: 'a@example.com' }).action, 'send')
    const v = reject.people('$set_once', { plan: 'gold', logins: '3', $email: 'not-mail', x: 1 })
    assert.deepEqual(
      v.issues.map((i) => [i.code, i.path]),
      [
        ['unplanned_property', '$set_once.x'],
        ['invalid_value', '$set_once.$email'],
        ['invalid_value', '$set_once.plan'],
        ['invalid_type', '$set_once.logins'],
      ],
    )
    const f = fix.people('$set', { Plan: 'PRO', used_ios_app: 'true' })
    assert.deepEqual(f.properties, { plan: 'pro', used_ios_app: true })
    assert.equal(f.name, '$set')
  })
  test('$add needs numeric properties, $append/$union/$remove list properties with valid items', () => {
    assert.deepEqual(codes(reject.people('$add', { logins: 1, lifetime_value: 2.5 })), [])
    assert.deepEqual(codes(reject.people('$add', { plan: 1 })), ['invalid_type'])
    assert.deepEqual(codes(reject.people('$append', { favourite_tags: 'x' })), [])
    assert.deepEqual(codes(reject.people('$append', { logins: 1 })), ['invalid_type'])
    const long = 'x'.repeat(40)
    const u = reject.people('$union', { favourite_tags: ['ok', long] })
    assert.deepEqual(
      u.issues.map((i) => [i.code, i.path]),
      [['invalid_value', '$union.favourite_tags[1]']],
    )
    assert.deepEqual(codes(reject.people('$remove', { nope: 'x' })), ['unplanned_property'])
  })
  test('$unset names must be planned; fix renames and removes them', () => {
    assert.deepEqual(codes(reject.people('$unset', ['plan', '$name'])), [])
    const v = fix.people('$unset', ['Plan', 'nope', 'logins'])
    assert.deepEqual(v.properties, ['plan', 'logins'])
    assert.deepEqual(codes(v), ['property_case_mismatch', 'unplanned_property'])
  })
  test('other operations and plans without a people section pass', () => {
    assert.equal(reject.people('$delete', '').action, 'send')
    const bare = createPlanEnforcer(loadPlan({ version: '1', events: {} }), { policy: 'reject' })
    assert.equal(bare.people('$set', { anything: 1 }).action, 'send')
    assert.equal(bare.group('company_id', '$set', { anything: 1 }).action, 'send')
  })
  test('groups are checked per group key', () => {
    assert.equal(reject.group('company_id', '$set', { name: 'Acme', seats: 5 }).action, 'send')
    const v = fix.group('company_id', '$set', { seats: '12', industry: 'Retail' })
    assert.equal(v.name, 'company_id')
    assert.deepEqual(v.properties, { seats: 12, industry: 'retail' })
    assert.deepEqual(codes(reject.group('company_id', '$union', { features: [1] })), ['invalid_type'])
  })
})
