import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { PlanError } from '../errors/index.js'
import { createAjv } from './ajv.js'
import { loadPlan } from './load.js'
import { PLAN_JSON_SCHEMA } from './plan-schema.js'
import type { PlanDocument } from './types.js'

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const YAML_PLAN = root('examples/plan/tracking-plan.yaml')
const JSON_PLAN = root('examples/plan/tracking-plan.json')
const dir = mkdtempSync(join(tmpdir(), 'eventwire-plan-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

function problemsOf(fn: () => unknown): PlanError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof PlanError, `expected a PlanError, got ${error}`)
    assert.equal(error.code, 'EVENTWIRE_INVALID_PLAN')
    return error
  }
  assert.fail('expected loadPlan to throw')
}

const minimal = (events: PlanDocument['events'], extra: Partial<PlanDocument> = {}): PlanDocument => ({
  version: '1.0.0',
  events,
  ...extra,
})

describe('the published JSON Schema', () => {
  test('schemas/tracking-plan.schema.json is the schema loadPlan validates with', () => {
    const published = JSON.parse(readFileSync(root('schemas/tracking-plan.schema.json'), 'utf8'))
    assert.deepEqual(published, JSON.parse(JSON.stringify(PLAN_JSON_SCHEMA)))
  })
  test('the sample plans validate against the published schema with a plain ajv', () => {
    const validate = createAjv().compile(
      JSON.parse(readFileSync(root('schemas/tracking-plan.schema.json'), 'utf8')),
    )
    for (const file of [JSON_PLAN]) {
      assert.equal(validate(JSON.parse(readFileSync(file, 'utf8'))), true, JSON.stringify(validate.errors))
    }
  })
})

describe('loadPlan', () => {
  test('the YAML and JSON samples load to the same plan', () => {
    const yaml = loadPlan(YAML_PLAN)
    const json = loadPlan(JSON_PLAN)
    const { $schema, ...rest } = json.document
    assert.equal($schema, '../../schemas/tracking-plan.schema.json')
    assert.deepEqual(rest, yaml.document)
    assert.equal(yaml.version, '2.1.0')
    assert.equal(yaml.file, YAML_PLAN)
    assert.deepEqual(
      yaml.compiled.events.map((e) => e.name),
      ['User signs up', 'Order completed', 'Subscription changed', 'Page viewed', 'Purchase'],
    )
    assert.equal(yaml.event('userSignsUp')?.name, 'User signs up')
    assert.equal(yaml.event('Purchase')?.replacedBy, 'Order completed')
  })

  test('accepts an object, copies it, and returns a loaded plan as is', () => {
    const doc = minimal({ a: { name: 'A', properties: { n: { type: 'integer' } } } })
    const plan = loadPlan(doc)
    doc.events.a!.name = 'changed'
    assert.equal(plan.document.events.a!.name, 'A')
    assert.equal(plan.file, undefined)
    assert.equal(loadPlan(plan), plan)
  })

  test('a missing file names the file', () => {
    const error = problemsOf(() => loadPlan(join(dir, 'nope.yaml')))
    assert.equal(error.file, join(dir, 'nope.yaml'))
    assert.match(error.message, /nope\.yaml.*ENOENT/)
  })

  test('YAML and JSON syntax errors carry the line', () => {
    const yaml = problemsOf(() => loadPlan(write('bad.yaml', 'version: "1"\nevents:\n  a: [\n')))
    assert.match(yaml.problems[0]!.message, /not valid YAML/)
    assert.equal(typeof yaml.problems[0]!.line, 'number')
    const json = problemsOf(() => loadPlan(write('bad.json', '{\n  "version": "1",\n  "events": {,}\n}')))
    assert.match(json.problems[0]!.message, /not valid JSON/)
    assert.equal(json.problems[0]!.line, 3)
  })

  test('schema errors name the JSON pointer and, in files, the line and column', () => {
    const file = write(
      'typo.yaml',
      [
        'version: "1"',
        'events:',
        '  userSignsUp:',
        '    name: User signs up',
        '    properties:',
        '      plan:',
        '        tpye: string',
        '',
      ].join('\n'),
    )
    const error = problemsOf(() => loadPlan(file))
    assert.equal(error.file, file)
    assert.deepEqual(
      error.problems.map((p) => [p.pointer, p.message, p.line]),
      [['/events/userSignsUp/properties/plan/tpye', 'unknown key "tpye"', 7]],
    )
    assert.match(
      error.message,
      /typo\.yaml: \/events\/userSignsUp\/properties\/plan\/tpye \(line 7, column 15\): unknown key "tpye"/,
    )
  })

  test('shape errors: version as a number, bad type names, bad code names, bad regex, unknown format', () => {
    const error = problemsOf(() =>
      loadPlan({
        version: 1.1,
        events: {
          'user-signs-up': { name: 'x' },
          ok: {
            name: 'OK',
            properties: { a: { type: 'text' }, b: { type: 'string', pattern: '(' }, c: { format: 'colour' } },
          },
        },
      } as never),
    )
    const pointers = error.problems.map((p) => p.pointer)
    assert.deepEqual(pointers, [
      '/version',
      '/events/user-signs-up',
      '/events/ok/properties/a/type',
      '/events/ok/properties/b/pattern',
      '/events/ok/properties/c/format',
    ])
    assert.match(error.problems[0]!.message, /quote the version/)
    assert.match(error.problems[2]!.message, /type name/)
  })

  test('ambiguities: duplicate names, aliases, case collisions, undeclared required, unknown replacedBy', () => {
    const error = problemsOf(() =>
      loadPlan(
        minimal({
          a: { name: 'Sign up', aliases: ['Old'], required: ['missing'], replacedBy: 'zzz' },
          b: { name: 'Sign up' },
          c: { name: 'SIGN_UP' },
          d: { name: 'D', aliases: ['Old'] },
          e: { name: 'E', properties: { planType: { type: 'string' }, plan_type: { type: 'string' } } },
          f: { name: 'F', properties: { n: { type: 'integer', minimum: 5, maximum: 1, enum: [1, 'x'] } } },
        }),
      ),
    )
    assert.deepEqual(
      error.problems.map((p) => [p.rule, p.pointer]),
      [
        ['undeclared-required', '/events/a/required/0'],
        ['unknown-replacement', '/events/a/replacedBy'],
        ['property-case-collision', '/events/e/properties/plan_type'],
        ['duplicate-name', '/events/b/name'],
        ['case-collision', '/events/c/name'],
        ['duplicate-name', '/events/d/aliases/0'],
        ['range', '/events/f/properties/n/minimum'],
        ['enum-type', '/events/f/properties/n/enum/1'],
      ],
    )
  })

  test('common properties are merged into every event, required ones included', () => {
    const plan = loadPlan(
      minimal(
        { a: { name: 'A', properties: { x: { type: 'string' } } } },
        { commonProperties: { properties: { platform: { type: 'string' } }, required: ['platform'] } },
      ),
    )
    const validate = plan.event('A')!.validate
    assert.equal(validate({ platform: 'web', x: 'y' }), true)
    assert.equal(validate({ x: 'y' }), false)
  })
})

test('YAML anchors and merge keys can reuse property definitions', () => {
  const file = write(
    'anchors.yaml',
    [
      'version: "1"',
      'events:',
      '  a:',
      '    name: A',
      '    properties:',
      '      plan: &plan { type: string, enum: [free, pro] }',
      '      money: &money { type: number, minimum: 0 }',
      '  b:',
      '    name: B',
      '    properties:',
      '      plan: *plan',
      '      refund:',
      '        <<: *money',
      '        description: Refunded amount.',
      '',
    ].join('\n'),
  )
  const plan = loadPlan(file)
  assert.deepEqual(plan.document.events.b!.properties, {
    plan: { type: 'string', enum: ['free', 'pro'] },
    refund: { type: 'number', minimum: 0, description: 'Refunded amount.' },
  })
})
