import assert from 'node:assert/strict'
import { test } from 'node:test'
import { PlanViolationError } from '../errors/index.js'
import { createPlanEnforcer } from './enforcer.js'
import { loadPlan } from './load.js'
import { PLAN_VIOLATION_EVENT, type PlanViolation, violationEventProperties } from './violation.js'

const plan = loadPlan({
  version: '3.0.0',
  events: { signUp: { name: 'Sign up', aliases: ['Signed Up'], properties: { ok: { type: 'boolean' } } } },
})

test('a violation event carries the event name, issue codes and plan version, not property values', () => {
  const verdict = createPlanEnforcer(plan, { policy: 'fix' }).event('Signed Up', {
    ok: 'true',
    secret: 'hunter2',
  })
  const violation: PlanViolation = {
    kind: 'event',
    name: 'Signed Up',
    sentName: verdict.name,
    action: verdict.action,
    issues: verdict.issues,
    planVersion: verdict.planVersion,
  }
  assert.equal(violation.sentName, 'Sign up')
  const props = violationEventProperties(violation)
  assert.equal(PLAN_VIOLATION_EVENT, '$plan_violation')
  assert.deepEqual(
    { ...props, issues: undefined },
    {
      violated_event: 'Signed Up',
      sent_event: 'Sign up',
      violation_kind: 'event',
      action: 'send',
      issue_codes: ['alias_used', 'unplanned_property', 'invalid_type'],
      issues: undefined,
      issue_count: 3,
      plan_version: '3.0.0',
    },
  )
  assert.equal((props.issues as unknown[]).length, 3)
  assert.doesNotMatch(JSON.stringify(props), /hunter2/)
})

test('PlanViolationError lists the unfixed issues', () => {
  const verdict = createPlanEnforcer(plan, { policy: 'reject' }).event('Sign up', { ok: 'yes' })
  const error = new PlanViolationError('Sign up', verdict.issues, verdict.planVersion)
  assert.equal(error.code, 'EVENTWIRE_PLAN_VIOLATION')
  assert.equal(error.planVersion, '3.0.0')
  assert.match(error.message, /"Sign up" breaks tracking plan 3\.0\.0: invalid_type at properties\.ok/)
})
