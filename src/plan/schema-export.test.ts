import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Ajv } from 'ajv'
import { runPlanCli } from '../../test/plan/run-plan-cli.js'
import { exportPlanSchemas, IGLU_META_SCHEMA, igluEventName } from './schema-export.js'
import { compareSchemaVer, igluVersionsIn } from './schema-export-files.js'
import type { PlanDocument } from './types.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-export-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const PLAN: PlanDocument = {
  version: '1.0.0',
  commonProperties: {
    properties: { platform: { type: 'string', enum: ['web', 'server'] } },
    required: ['platform'],
  },
  events: {
    signedUp: {
      name: 'User signs up',
      description: 'A new account.',
      properties: {
        plan: { type: 'string', enum: ['free', 'pro'] },
        seats: { type: 'integer', exclusiveMinimum: 0, maximum: 100 },
        schema_version: { const: 2 },
        address: { type: 'object', properties: { city: { type: 'string' } } },
      },
      required: ['plan'],
    },
    viewed: { name: 'Page viewed', additionalProperties: true, properties: { path: { type: 'string' } } },
  },
  people: { properties: { $email: { type: 'string', format: 'email' } } },
  groups: { company_id: { properties: { seats: { type: 'integer' } } } },
}

test('event names become Iglu names', () => {
  assert.equal(igluEventName('User signs up'), 'user_signs_up')
  assert.equal(igluEventName('orderCompleted'), 'order_completed')
  assert.equal(igluEventName('Café — Öffnung!'), 'cafe_offnung')
  assert.equal(igluEventName('$$$'), 'event')
})

test('plain JSON Schemas: one per event (common properties included) and per profile kind', () => {
  const result = exportPlanSchemas(PLAN)
  assert.deepEqual(
    result.schemas.map((s) => [s.kind, s.path, s.version, s.uri]),
    [
      ['event', 'events/user_signs_up.json', '1-0-0', undefined],
      ['event', 'events/page_viewed.json', '1-0-0', undefined],
      ['user', 'profiles/user_profile.json', '1-0-0', undefined],
      ['group', 'profiles/group_company_id.json', '1-0-0', undefined],
    ],
  )
  const signup = result.schemas[0]!.schema
  assert.equal(signup.$schema, 'http://json-schema.org/draft-07/schema#')
  const validate = new Ajv({ strict: false }).compile(signup)
  assert.equal(validate({ platform: 'web', plan: 'pro', seats: 1, schema_version: 2, $os: 'x' }), true)
  assert.equal(
    validate({ platform: 'web', plan: 'pro', seats: 0 }),
    false,
    'exclusiveMinimum kept (draft-07)',
  )
  assert.equal(validate({ plan: 'pro' }), false, 'common required property')
  assert.equal(validate({ platform: 'web', plan: 'pro', extra: 1 }), false, 'unplanned property')
  assert.equal(
    validate({ platform: 'web', plan: 'pro', address: { city: 'x', zip: 1 } }),
    false,
    'nested policy',
  )
})

test('Iglu: draft-04 with self, const and exclusive bounds rewritten', () => {
  const result = exportPlanSchemas(PLAN, { vendor: 'com.acme' })
  const signup = result.schemas[0]!
  assert.equal(signup.uri, 'iglu:com.acme/user_signs_up/jsonschema/1-0-0')
  assert.equal(signup.path, 'com.acme/user_signs_up/jsonschema/1-0-0')
  assert.equal(signup.schema.$schema, IGLU_META_SCHEMA)
  assert.deepEqual(signup.schema.self, {
    vendor: 'com.acme',
    name: 'user_signs_up',
    format: 'jsonschema',
    version: '1-0-0',
  })
  const props = signup.schema.properties as Record<string, Record<string, unknown>>
  assert.deepEqual(props.seats, { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 100 })
  assert.deepEqual(props.schema_version, { enum: [2] })
  assert.throws(() => exportPlanSchemas(PLAN, { vendor: 'com acme' }), /vendor/)
})

test('versions: unchanged keeps, additive bumps the addition, breaking the model', () => {
  const additive: PlanDocument = structuredClone(PLAN)
  additive.events.signedUp!.properties!.coupon = { type: 'string' }
  const breaking: PlanDocument = structuredClone(PLAN)
  breaking.events.viewed!.required = ['path']
  const cosmeticOnly: PlanDocument = structuredClone(PLAN)
  cosmeticOnly.events.signedUp!.owner = 'growth'

  const one = exportPlanSchemas(additive, { vendor: 'com.acme', previous: { plan: PLAN } })
  assert.deepEqual(
    one.schemas.map((s) => [s.name, s.version, s.change]),
    [
      ['user_signs_up', '1-0-1', 'additive'],
      ['page_viewed', '1-0-0', 'unchanged'],
      ['user_profile', '1-0-0', 'unchanged'],
      ['group_company_id', '1-0-0', 'unchanged'],
    ],
  )
  const two = exportPlanSchemas(breaking, {
    vendor: 'com.acme',
    previous: { plan: additive, versions: one.manifest.versions },
  })
  assert.deepEqual(two.schemas.map((s) => [s.name, s.version, s.change]).slice(0, 2), [
    // `breaking` has no coupon property any more: a removal is breaking
    ['user_signs_up', '2-0-0', 'breaking'],
    ['page_viewed', '2-0-0', 'breaking'],
  ])
  assert.deepEqual(
    exportPlanSchemas(cosmeticOnly, { vendor: 'com.acme', previous: { plan: PLAN } }).schemas.map(
      (s) => s.version,
    ),
    ['1-0-0', '1-0-0', '1-0-0', '1-0-0'],
  )
  assert.equal(compareSchemaVer('1-0-10', '1-0-9') > 0, true)
})

test('eventwire plan export writes an Iglu folder and versions the next export against it', async () => {
  const out = join(dir, 'iglu')
  const planFile = join(dir, 'plan.json')
  const { writeFileSync } = await import('node:fs')
  writeFileSync(planFile, JSON.stringify(PLAN))
  const first = await runPlanCli(['plan', 'export', planFile, '--out', out, '--vendor', 'com.acme'])
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /^new +iglu:com\.acme\/user_signs_up\/jsonschema\/1-0-0$/m)
  assert.ok(existsSync(join(out, 'com.acme', 'page_viewed', 'jsonschema', '1-0-0')))
  assert.ok(existsSync(join(out, 'eventwire-export.json')))

  const next: PlanDocument = structuredClone(PLAN)
  next.events.viewed!.required = ['path']
  next.events.signedUp!.properties!.coupon = { type: 'string' }
  writeFileSync(planFile, JSON.stringify(next))
  const second = await runPlanCli(['plan', 'export', planFile, '--out', out, '--vendor', 'com.acme'])
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stdout, /^additive +iglu:com\.acme\/user_signs_up\/jsonschema\/1-0-1$/m)
  assert.match(second.stdout, /^breaking +iglu:com\.acme\/page_viewed\/jsonschema\/2-0-0$/m)
  assert.match(second.stdout, /^unchanged +iglu:com\.acme\/user_profile\/jsonschema\/1-0-0$/m)
  assert.deepEqual(igluVersionsIn(out, 'com.acme'), {
    group_company_id: '1-0-0',
    page_viewed: '2-0-0',
    user_profile: '1-0-0',
    user_signs_up: '1-0-1',
  })
  // the old versions stay, as in an Iglu repository
  assert.ok(existsSync(join(out, 'com.acme', 'page_viewed', 'jsonschema', '1-0-0')))
  const manifest = JSON.parse(readFileSync(join(out, 'eventwire-export.json'), 'utf8'))
  assert.equal(manifest.versions.page_viewed, '2-0-0')

  const plain = await runPlanCli(['plan', 'export', planFile, '--out', join(dir, 'plain')])
  assert.equal(plain.code, 0, plain.stderr)
  assert.ok(existsSync(join(dir, 'plain', 'events', 'user_signs_up.json')))
  const missing = await runPlanCli([
    'plan',
    'export',
    planFile,
    '--out',
    join(dir, 'x'),
    '--previous',
    join(dir, 'plain', 'events'),
  ])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /has no eventwire-export\.json/)
})
