import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { stringify } from 'yaml'
import { runPlanCli } from '../../test/plan/run-plan-cli.js'
import { loadPlan } from '../plan/index.js'
import { parseAccount } from './common-options.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eventwire-plan-cli-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('plan lint: exit 0 for the sample, 1 with errors listed by line', async () => {
  const ok = await runPlanCli(['plan', 'lint', SAMPLE])
  assert.equal(ok.code, 0)
  assert.match(
    ok.stdout,
    /warning missing-description +\/events\/subscriptionChanged {2}event has no description/,
  )
  assert.match(ok.stdout, /0 errors, 1 warning\n$/)
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'version: "1"\nevents:\n  a:\n    name: Sign up\n  b:\n    name: sign_up\n')
  const result = await runPlanCli(['plan', 'lint', bad])
  assert.equal(result.code, 1)
  assert.match(
    result.stdout,
    new RegExp(`${bad}:6:11 {2}error +case-collision +/events/b/name {2}name "sign_up"`),
  )
  const json = await runPlanCli(['plan', 'lint', bad, '--json'])
  assert.equal(json.code, 1)
  assert.equal(JSON.parse(json.stdout).errors[0].rule, 'case-collision')
})

test('plan codegen writes the types file', async () => {
  const out = join(dir, 'generated', 'plan.ts')
  const result = await runPlanCli(['plan', 'codegen', SAMPLE, '-o', out])
  assert.equal(result.code, 0)
  assert.match(result.stderr, /wrote .*plan\.ts/)
  assert.match(readFileSync(out, 'utf8'), /^export type Events = \{$/m)
  const printed = await runPlanCli(['plan', 'codegen', SAMPLE])
  assert.equal(printed.stdout, readFileSync(out, 'utf8'))
})

test('plan diff: exit 2 for breaking changes, 0 otherwise', async () => {
  const doc = structuredClone(loadPlan(SAMPLE).document)
  doc.version = '2.2.0'
  doc.events.userSignsUp!.properties!.utm_source = { type: 'string' }
  const additive = join(dir, 'additive.yaml')
  writeFileSync(additive, stringify(doc))
  const a = await runPlanCli(['plan', 'diff', SAMPLE, additive])
  assert.equal(a.code, 0)
  assert.match(
    a.stdout,
    /^additive +\/events\/userSignsUp\/properties\/utm_source {2}event "User signs up": property "utm_source" added$/m,
  )
  assert.match(a.stdout, /0 breaking, 1 additive, 1 cosmetic \(2\.1\.0 → 2\.2\.0\)/)
  delete doc.events.pageViewed
  const breaking = join(dir, 'breaking.json')
  writeFileSync(breaking, JSON.stringify(doc))
  const b = await runPlanCli(['plan', 'diff', SAMPLE, breaking, '--json'])
  assert.equal(b.code, 2)
  assert.equal(JSON.parse(b.stdout).breaking, 1)
})

test('invalid plans exit 1 with the file, pointer and line', async () => {
  const bad = join(dir, 'typo.yaml')
  writeFileSync(bad, 'version: "1"\nevents:\n  a:\n    nmae: A\n')
  const result = await runPlanCli(['plan', 'codegen', bad])
  assert.equal(result.code, 1)
  assert.match(result.stderr, /eventwire plan codegen: invalid tracking plan .*typo\.yaml/)
  assert.match(result.stderr, /\/events\/a \(line 4, column 5\): missing required key "name"/)
  assert.match(result.stderr, /\/events\/a\/nmae \(line 4, column 11\): unknown key "nmae"/)
})

test('push --dry-run prints the entries without credentials or network', async () => {
  const result = await runPlanCli(['plan', 'push', SAMPLE, '--dry-run', '--drop-deprecated'])
  assert.equal(result.code, 0)
  const body = JSON.parse(result.stdout) as {
    entries: Array<{ name: string; schemaJson: { metadata: object } }>
  }
  assert.equal(body.entries.length, 8)
  assert.deepEqual(body.entries.find((e) => e.name === 'Purchase')!.schemaJson.metadata, {
    'com.mixpanel': { hidden: true, dropped: true },
  })
  assert.match(result.stderr, /dry run: 8 schemas not sent/)
  assert.match(result.stderr, /skipped group "company_id"/)
})

test('push and pull need a project id and a service account; the value is never echoed', async () => {
  const missing = await runPlanCli(['plan', 'push', SAMPLE, '--project-id', '1'])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /--service-account.*EVENTWIRE_SERVICE_ACCOUNT/)
  const malformed = await runPlanCli([
    'plan',
    'pull',
    '--project-id',
    '1',
    '--service-account',
    'nocolonsecret',
  ])
  assert.equal(malformed.code, 1)
  assert.doesNotMatch(malformed.stderr, /nocolonsecret/)
  assert.deepEqual(parseAccount('user.x:pa:ss'), { username: 'user.x', secret: 'pa:ss' })
})
