import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generatePlanTypes } from './codegen.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))

test('generates Events as a type alias keyed by display name, with required, optional and enums', () => {
  const source = generatePlanTypes(SAMPLE)
  assert.match(source, /^export type Events = \{$/m)
  assert.doesNotMatch(source, /interface/)
  assert.match(source, /^ {2}'User signs up': \{$/m)
  assert.match(source, /^ {4}signup_method: 'email' \| 'google' \| 'github'$/m)
  assert.match(source, /^ {4}referrer\?: string$/m)
  assert.match(source, /^ {4}marketing_opt_in: boolean$/m)
  assert.match(source, /^ {4}completed_at\?: string \| Date$/m)
  assert.match(source, /^ {4}coupon\?: string \| null$/m)
  assert.match(
    source,
    /^ {4}items: Array<\{\n {6}sku: string\n {6}quantity: number\n {6}price\?: number\n {4}\}>$/m,
  )
  assert.match(source, /^ {4}discount_codes\?: string\[\]$/m)
  assert.match(source, /^ {4}schema_version\?: 2$/m)
  assert.match(source, /@deprecated Send 'Order completed' instead\./)
  assert.match(source, /^ {4}\[property: string\]: unknown$/m, 'Page viewed allows additional properties')
  assert.match(source, /^export type UserProfile = \{$/m)
  assert.match(source, /^ {2}\$email: string$/m)
  assert.match(source, /^ {2}company_id: \{$/m)
  assert.match(source, /^export const EVENT_NAMES = \{\n {2}userSignsUp: 'User signs up',$/m)
  assert.match(source, /^export const PLAN_VERSION = '2\.1\.0'$/m)
})

test('escapes names and doc comments', () => {
  const source = generatePlanTypes({
    version: "1'0",
    events: {
      a: {
        name: "It's */ here",
        description: 'ends */ early',
        properties: { 'odd key': { type: 'string', enum: ["o'k"] } },
      },
    },
  })
  assert.match(source, /PLAN_VERSION = '1\\'0'/)
  assert.match(source, /'It\\'s \*\/ here': \{/)
  assert.match(source, /ends \*\\\/ early/)
  assert.match(source, /'odd key'\?: 'o\\'k'/)
})
