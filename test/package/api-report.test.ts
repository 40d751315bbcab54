import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname
const script = join(root, 'scripts/api-report.mjs')

/** Runs the report script with `args`; resolves with its exit code and output. */
function report(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [script, ...args], { cwd: root }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  )
}

test('api-report.md lists exactly what every entry point exports', async () => {
  const result = await report('--check')
  assert.equal(result.code, 0, result.stderr)
})

test('a surface that differs from the report fails the check, naming each difference', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eventwire-api-'))
  try {
    const committed = await readFile(join(root, 'api-report.md'), 'utf8')
    assert.match(committed, /^- class Mixpanel$/m)
    const edited = committed
      .replace(/^- class Mixpanel\n/m, '')
      .replace(/^(## eventwire\/bulk\n\n.*\n\n)/m, '$1- function importEverything\n')
    const path = join(dir, 'api-report.md')
    await writeFile(path, edited)
    const result = await report('--check', '--report', path)
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^\+ eventwire: class Mixpanel$/m)
    assert.match(result.stderr, /^- eventwire\/bulk: function importEverything$/m)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('internals and tooling stay out of the root entry', async () => {
  const committed = await readFile(join(root, 'api-report.md'), 'utf8')
  const rootSection = committed.slice(
    committed.indexOf('## eventwire\n'),
    committed.indexOf('\n## eventwire/'),
  )
  for (const name of [
    'GdprClient',
    'importFile',
    'syncProfiles',
    'deleteProfiles',
    'deprecateEvents',
    'pushPlan',
    'pullPlan',
    'diffPlans',
    'generatePlanTypes',
    'normalizedHash',
    'toViolation',
    'FORBIDDEN_DISTINCT_IDS',
  ]) {
    assert.doesNotMatch(rootSection, new RegExp(` ${name}$`, 'm'), name)
  }
  assert.match(rootSection, /^- class InMemoryEventStore$/m)
  assert.doesNotMatch(committed, / (base64Url|decodeBase64|toViolation|normalizedHash)$/m)
})

test('package.json: every subpath has ESM and CommonJS files with types, and typesVersions for node10', async () => {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>
    typesVersions: Record<string, Record<string, string[]>>
  }
  const subpaths = Object.entries(pkg.exports)
    .filter(([key, target]) => key !== '.' && typeof target !== 'string')
    .map(([key]) => key.slice(2))
  assert.deepEqual(pkg.typesVersions, {
    '*': Object.fromEntries(subpaths.map((name) => [name, [`./dist/${name}/index.d.ts`]])),
  })
  for (const name of ['.', ...subpaths.map((s) => `./${s}`)]) {
    const base = name === '.' ? './dist/index' : `./dist/${name.slice(2)}/index`
    assert.deepEqual(pkg.exports[name], {
      import: { types: `${base}.d.ts`, default: `${base}.js` },
      require: { types: `${base}.d.cts`, default: `${base}.cjs` },
    })
  }
})
