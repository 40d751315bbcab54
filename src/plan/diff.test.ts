import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { diffPlans } from './diff.js'
import { loadPlan } from './load.js'
import type { PlanDocument } from './types.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const base = (): PlanDocument => structuredClone(loadPlan(SAMPLE).document)

test('identical plans have no changes', () => {
  const diff = diffPlans(SAMPLE, base())
  assert.deepEqual(diff.changes, [])
  assert.equal(diff.breaking, 0)
})

test('classifies every kind of change', () => {
  const next = base()
  next.version = '3.0.0'
  const signup = next.events.userSignsUp!
  signup.description = 'Reworded.'
  signup.properties!.plan!.enum = ['free', 'pro', 'team', 'enterprise']
  signup.properties!.signup_method!.enum = ['email', 'google']
  signup.properties!.age!.maximum = 120
  signup.properties!.referrer = { type: 'string' }
  signup.properties!.utm_source = { type: 'string' }
  signup.required = [...signup.required!, 'age']
  const order = next.events.orderCompleted!
  order.properties!.discount = { type: 'string' }
  order.properties!.revenue!.minimum = undefined
  delete order.properties!.revenue!.minimum
  order.properties!.items!.items!.properties!.sku!.maxLength = 128
  delete order.properties!.first_order
  next.events.subscriptionChanged!.name = 'Plan changed'
  next.events.subscriptionChanged!.aliases = ['Subscription changed']
  delete next.events.pageViewed
  next.events.pageViewed2 = { name: 'Screen viewed', properties: {} }
  next.events.purchase!.additionalProperties = true
  delete next.groups
  const diff = diffPlans(SAMPLE, next)
  const rows = diff.changes.map((c) => `${c.kind} ${c.pointer} ${c.message}`)
  const expected = [
    'cosmetic /version version 2.1.0 → 3.0.0',
    'breaking /events/userSignsUp/properties/signup_method/enum event "User signs up": property "signup_method": values removed: "github"',
    'additive /events/userSignsUp/properties/plan/enum event "User signs up": property "plan": values added: "enterprise"',
    'additive /events/userSignsUp/properties/referrer/format event "User signs up": property "referrer": format "uri" → none',
    'breaking /events/userSignsUp/properties/age event "User signs up": property "age" now required',
    'breaking /events/userSignsUp/properties/age/maximum event "User signs up": property "age": maximum 130 → 120',
    'additive /events/userSignsUp/properties/utm_source event "User signs up": property "utm_source" added',
    'cosmetic /events/userSignsUp/description event "User signs up": description changed',
    'breaking /events/orderCompleted/properties/first_order event "Order completed": property "first_order" removed',
    'additive /events/orderCompleted/properties/revenue/minimum event "Order completed": property "revenue": minimum 0 → none',
    'breaking /events/orderCompleted/properties/discount/type event "Order completed": property "discount": type number → string',
    'additive /events/orderCompleted/properties/discount/multipleOf event "Order completed": property "discount": multipleOf 0.01 → none',
    'additive /events/orderCompleted/properties/discount/minimum event "Order completed": property "discount": minimum 0 → none',
    'additive /events/orderCompleted/properties/items/items/properties/sku/maxLength event "Order completed": property "items" items: property "sku": maxLength 64 → 128',
    'additive /events/subscriptionChanged/name event "Subscription changed" renamed to "Plan changed" (old name kept as alias)',
    'breaking /events/pageViewed event "Page viewed" removed',
    'additive /events/purchase/additionalProperties event "Purchase": unplanned properties now allowed',
    'additive /events/pageViewed2 event "Screen viewed" added',
    'breaking /groups/company_id group "company_id" removed',
  ]
  for (const row of expected) assert.ok(rows.includes(row), `missing: ${row}\nin:\n${rows.join('\n')}`)
  assert.equal(rows.length, expected.length, rows.join('\n'))
  assert.equal(diff.breaking, 7)
  assert.equal(diff.from, '2.1.0')
  assert.equal(diff.to, '3.0.0')
})

test('a rename without keeping the old name as an alias is breaking', () => {
  const next = base()
  next.events.userSignsUp!.name = 'Account created'
  const diff = diffPlans(SAMPLE, next)
  assert.deepEqual(
    diff.changes.map((c) => [c.kind, c.pointer]),
    [['breaking', '/events/userSignsUp/name']],
  )
})
