// Proves the generated types in both directions by running the real TypeScript compiler on a
// generated file plus code that uses the eventwire client with it.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generatePlanTypes } from '../../src/plan/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SAMPLE = join(ROOT, 'examples/plan/tracking-plan.yaml')
let dir: string

/** Runs tsc; `output` is its diagnostics (stdout), `stderr` holds npm's own chatter. */
function tsc(files: string[]): Promise<{ code: number; output: string; stderr: string }> {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files,
    }),
  )
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'tsc', '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'],
      { cwd: ROOT, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
        resolve({ code, output: stdout, stderr })
      },
    )
  })
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'eventwire-types-'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'plan-types.ts'), generatePlanTypes(SAMPLE))
  const client = relative(dir, join(ROOT, 'src/index.js')).replace(/\\/g, '/')
  const header = [
    `import { Mixpanel } from '${client}'`,
    "import { EVENT_NAMES, type Events, type UserProfile } from './plan-types.js'",
    '',
    "const mp = new Mixpanel<Events, UserProfile>('token', { consumer: undefined })",
    '',
  ]
  writeFileSync(
    join(dir, 'valid.ts'),
    [
      ...header,
      'export async function valid(): Promise<void> {',
      "  await mp.track('u1', 'User signs up', { platform: 'web', signup_method: 'google', plan: 'pro', marketing_opt_in: true, age: 30, $device_id: 'd1', time: new Date() })",
      "  await mp.track('u1', EVENT_NAMES.orderCompleted, { platform: 'server', order_id: 'id', revenue: 10, currency: 'EUR', coupon: null, completed_at: new Date(), items: [{ sku: 'a', quantity: 1 }], shipping: { method: 'express' } })",
      "  await mp.track(null, 'Page viewed', { platform: 'web', path: '/', anything: { nested: true } })",
      "  await mp.import('u1', 'Purchase', Date.now(), { platform: 'web', amount: 3 })",
      "  await mp.people.set('u1', { plan: 'team', $email: 'a@example.com', logins: 3 })",
      "  await mp.people.setOnce('u1', { signed_up_at: new Date() })",
      '}',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'invalid.ts'),
    [
      ...header,
      'export async function invalid(): Promise<void> {',
      "  await mp.track('u1', 'User Signs Up', { platform: 'web' })",
      "  await mp.track('u1', 'User signs up', { platform: 'web', signup_method: 'email', plan: 'pro', marketing_opt_in: 'true' })",
      "  await mp.track('u1', 'User signs up', { platform: 'web', signup_method: 'email', plan: 'gold', marketing_opt_in: true })",
      "  await mp.track('u1', 'User signs up', { platform: 'web', signup_method: 'email', marketing_opt_in: true })",
      "  await mp.track('u1', 'User signs up', { platform: 'web', signup_method: 'email', plan: 'pro', marketing_opt_in: true, extra: 1 })",
      "  await mp.people.set('u1', { logins: 'many' })",
      '}',
      '',
    ].join('\n'),
  )
})

after(() => rmSync(dir, { recursive: true, force: true }))

test('generated types compile with valid client calls', async () => {
  const result = await tsc(['plan-types.ts', 'valid.ts'])
  assert.equal(result.output.trim(), '')
  assert.equal(result.code, 0, result.stderr)
})

test('unknown event names and wrong property types fail tsc', async () => {
  const result = await tsc(['plan-types.ts', 'valid.ts', 'invalid.ts'])
  // tsc exits 2 when the program has errors (with or without emitting).
  assert.equal(result.code, 2, result.stderr)
  // A diagnostic is a `file(line,col): error TSnnnn: text` line plus indented continuation lines.
  const errors: Array<{ file: string; line: number; code: string; text: string }> = []
  for (const row of result.output.split('\n')) {
    const m = /^(\S+?)\((\d+),\d+\): error (TS\d+): (.*)$/.exec(row)
    if (m) errors.push({ file: m[1]!.replace(/^.*[\\/]/, ''), line: Number(m[2]), code: m[3]!, text: m[4]! })
    else if (/^\s/.test(row) && errors.length > 0) errors[errors.length - 1]!.text += `\n${row.trim()}`
  }
  assert.deepEqual(
    errors.filter((e) => e.file !== 'invalid.ts'),
    [],
    'only invalid.ts may have errors',
  )
  const at = (line: number) =>
    errors
      .filter((e) => e.line === line)
      .map((e) => `${e.code} ${e.text}`)
      .join('\n')
  // Lines 7..12 of invalid.ts hold one mistake each.
  assert.match(at(7), /TS2345 Argument of type '"User Signs Up"' is not assignable to parameter of type/)
  assert.match(at(8), /TS2322 Type 'string' is not assignable to type 'boolean'/)
  assert.match(at(9), /TS2322 Type '"gold"' is not assignable to type '"free" \| "pro" \| "team"'/)
  assert.match(at(10), /Property 'plan' is missing/)
  assert.match(at(11), /Object literal may only specify known properties, and 'extra' does not exist/)
  assert.match(at(12), /TS2322 Type 'string' is not assignable to type 'number'/)
  assert.equal(new Set(errors.map((e) => e.line)).size, 6)
})
