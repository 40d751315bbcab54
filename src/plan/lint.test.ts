import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { lintPlan } from './lint.js'
import { loadPlan } from './load.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eventwire-lint-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('the sample plan has no errors; its warnings are the deliberate ones', () => {
  const result = lintPlan(SAMPLE)
  assert.deepEqual(result.errors, [])
  assert.equal(result.ok, true)
  assert.deepEqual(
    result.warnings.map((w) => [w.rule, w.pointer]),
    [['missing-description', '/events/subscriptionChanged']],
  )
  assert.deepEqual(lintPlan(loadPlan(SAMPLE)).errors, [])
})

test('reports duplicates, case collisions and type conflicts across events, with lines', () => {
  const file = join(dir, 'messy.yaml')
  writeFileSync(
    file,
    [
      'version: "1"',
      'commonProperties:',
      '  properties:',
      '    platform: { type: string }',
      'events:',
      '  signUp:',
      '    name: Sign up',
      '    description: x',
      '    aliases: [Registered, sign-up]',
      '    properties:',
      '      plan: { type: string }',
      '      platform: { type: string }',
      '  signUpAgain:',
      '    name: Sign Up',
      '    description: x',
      '  upgrade:',
      '    name: Upgrade',
      '    description: x',
      '    aliases: [Registered]',
      '    properties:',
      '      plan: { type: integer }',
      '      Plan_Type: { type: string }',
      '  old:',
      '    name: Old',
      '    description: x',
      '    deprecated: true',
      '    properties:',
      '      planType: { type: string }',
      '',
    ].join('\n'),
  )
  const result = lintPlan(file)
  assert.equal(result.ok, false)
  assert.deepEqual(
    result.errors.map((e) => [e.rule, e.pointer, e.line]),
    [
      ['case-collision', '/events/signUpAgain/name', 14],
      ['duplicate-name', '/events/upgrade/aliases/0', 19],
      ['type-conflict', '/events/upgrade/properties/plan', 21],
      ['property-case-collision', '/events/old/properties/planType', 28],
    ],
  )
  assert.match(result.errors[2]!.message, /"plan" is number here but string in event signUp/)
  assert.deepEqual(
    result.warnings.map((w) => w.rule),
    ['redundant-alias', 'common-override', 'deprecated-without-replacement'],
  )
})

test('parse and schema errors come back as findings, not exceptions', () => {
  const broken = join(dir, 'broken.json')
  writeFileSync(broken, '{ "version": "1", ')
  assert.deepEqual(
    lintPlan(broken).errors.map((e) => e.rule),
    ['parse'],
  )
  assert.deepEqual(
    lintPlan(join(dir, 'missing.yaml')).errors.map((e) => e.rule),
    ['parse'],
  )
  const shape = lintPlan({ version: '1', events: { a: { name: 'A', owner: 5 } } } as never)
  assert.deepEqual(
    shape.errors.map((e) => [e.rule, e.pointer]),
    [['schema', '/events/a/owner']],
  )
})
