import assert from 'node:assert/strict'
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startCollector } from '../../src/collector/index.js'
import { exportPlanSchemas, loadPlan, writeSchemaExport } from '../../src/plan/index.js'
import { background, ok, run } from '../package/helpers.js'
import { codeBlocks, docsPlanYaml, pages, ROOT } from './markdown.js'

/** One command of a shell example: continuation lines joined, the trailing comment removed. */
interface ShellCommand {
  readonly page: string
  readonly line: number
  readonly text: string
  /** `VAR=value` set by `export` lines before it in the same block. */
  readonly env: Record<string, string>
  /** Which block it is in: a collector a block starts in the background (`... &`) serves the block. */
  readonly blockIndex: number
}

/**
 * Why a command is not run here. Every command of README.md and docs/*.md must be run by this test
 * or match one of these, so a new example cannot be forgotten.
 */
const NOT_HERE: Array<[RegExp, string]> = [
  [
    /^npm install eventwire$/,
    'installs from the registry: test/package/pack.test.ts installs the packed tarball',
  ],
  [/^npm install && npm run demo$/, 'runs the demo: test/demo.test.ts'],
  [/^npm install && npm test$/, 'runs this test suite'],
  [/^psql /, 'needs your PostgreSQL database'],
  [/^NODE_EXTRA_CA_CERTS=.* node your-service\.js$/, 'runs your service'],
  [/^eventwire worker /, 'needs Redis and Mixpanel: test/stores/worker-command.test.ts runs it against both'],
  [
    /^eventwire (import|people|groups|gdpr|events) (?!.*(--dry-run|--api-host http:\/\/127\.0\.0\.1))/,
    'sends to Mixpanel with your credentials',
  ],
]

/** Commands that keep running: started, checked, stopped. */
const LONG_RUNNING = /^(\S+=\S+ )*npx eventwire dev\b/

function commands(): ShellCommand[] {
  const out: ShellCommand[] = []
  let blockIndex = 0
  for (const block of pages()
    .flatMap(codeBlocks)
    .filter((b) => b.lang === 'sh')) {
    blockIndex++
    const env: Record<string, string> = {}
    const lines = block.code.split('\n')
    for (let i = 0; i < lines.length; i++) {
      const line = block.line + i
      let text = lines[i]!
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1)} ${lines[++i]!.trim()}`
      text = text.replace(/\s+#\s.*$/, '').trim()
      if (text === '' || text.startsWith('#')) continue
      const exported = /^export (.*)$/.exec(text)
      if (exported) {
        for (const [, key, value] of exported[1]!.matchAll(/(\w+)=('[^']*'|\S+)/g)) {
          env[key!] = value!.replace(/^'|'$/g, '')
        }
        continue
      }
      out.push({ page: block.page, line, text: text.replace(/\s+/g, ' '), env: { ...env }, blockIndex })
    }
  }
  return out
}

const TOKEN = 'docs-token'
let template: string

before(async () => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true })
  template = mkdtempSync(join(ROOT, 'tmp', 'docs-shell-'))
  // `eventwire` and `npx eventwire` run the CLI from the sources.
  const bin = join(template, '.bin')
  mkdirSync(bin)
  const tsx = new URL(import.meta.resolve('tsx')).pathname
  writeFileSync(
    join(bin, 'eventwire'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${join(ROOT, 'src/cli/main.ts')}" "$@"\n`,
  )
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = eventwire ] && shift\nexec "${join(bin, 'eventwire')}" "$@"\n`,
  )
  chmodSync(join(bin, 'eventwire'), 0o755)
  chmodSync(join(bin, 'npx'), 0o755)
  // The files the examples name, made from the documentation itself where it has them.
  writeFileSync(join(template, 'tracking-plan.yaml'), docsPlanYaml())
  const plan = loadPlan(join(template, 'tracking-plan.yaml'))
  writeFileSync(join(template, 'tracking-plan.json'), JSON.stringify(plan.document, null, 2))
  for (const folder of ['iglu', 'schemas']) {
    writeSchemaExport(exportPlanSchemas(plan, { vendor: 'com.acme' }), join(template, folder))
  }
  cpSync(join(ROOT, 'docs/flags-examples.json'), join(template, 'flags.json'))
  mkdirSync(join(template, 'node_modules'))
  symlinkSync(ROOT, join(template, 'node_modules/eventwire'))
  writeFileSync(
    join(template, 'events.ndjson'),
    '{"event":"Order completed","properties":{"distinct_id":"u1","time":1700000000,"total":20}}\n',
  )
  writeFileSync(join(template, 'users.ndjson'), '{"id":"u1","plan":"pro"}\n{"id":"u2","plan":"free"}\n')
  // Your own certificate, for --tls-cert and --tls-key.
  await ok(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    template,
  )
})

after(() => rmSync(template, { recursive: true, force: true }))

/** A fresh copy of the template folder for one command. */
function sandbox(): string {
  const dir = `${template}-${Math.random().toString(36).slice(2)}`
  cpSync(template, dir, { recursive: true, verbatimSymlinks: true })
  after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

function environment(dir: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    PATH: `${join(dir, '.bin')}:${process.env.PATH}`,
    TOKEN,
    MIXPANEL_TOKEN: TOKEN,
    NODE_OPTIONS: '',
    ...extra,
  }
}

test('every shell example is run here or says why it cannot be', () => {
  const unexplained = commands().filter(
    (c) => !NOT_HERE.some(([pattern]) => pattern.test(c.text)) && !runnable(c),
  )
  assert.deepEqual(
    unexplained.map((c) => `${c.page}:${c.line}: ${c.text}`),
    [],
  )
})

function runnable(c: ShellCommand): boolean {
  return (
    LONG_RUNNING.test(c.text) ||
    /^(npx )?eventwire (plan|import|people) /.test(c.text) ||
    /^curl -s 'http:\/\/127\.0\.0\.1:8787/.test(c.text)
  )
}

test('the shell examples that run locally succeed as written', async () => {
  const all = commands().filter((c) => !NOT_HERE.some(([pattern]) => pattern.test(c.text)))
  // Collectors an example points at: the one its block started, or one started here.
  const collectors = new Map<number, string>()
  const results: string[] = []
  const fail = (c: ShellCommand, why: string) => results.push(`${c.page}:${c.line}: ${c.text}\n${why}`)
  const spare = await startCollector({ port: 0, db: ':memory:' })
  after(() => spare.close())

  for (const c of all) {
    const dir = sandbox()
    const env = environment(dir, c.env)
    if (LONG_RUNNING.test(c.text)) {
      const keep = c.text.endsWith('&')
      const line = c.text.replace(/ &$/, '')
      const command = / --port \d+/.test(line) ? line.replace(/ --port \d+/, ' --port 0') : `${line} --port 0`
      const dev = background('sh', ['-c', `exec env ${command}`], dir, env)
      try {
        const [, url] = await dev.waitFor(/listening on (https?:\/\/127\.0\.0\.1:\d+)/, 60_000)
        if (keep) {
          collectors.set(c.blockIndex, url!)
          after(() => dev.stop())
          continue
        }
      } catch (error) {
        fail(c, String(error))
      }
      // It listened with these options: that is what the example shows. (Stopping cleanly on
      // SIGTERM is test/collector/dev-command.test.ts's business.)
      await dev.stop()
      continue
    }
    const origin = collectors.get(c.blockIndex) ?? spare.url
    const text = c.text.replace(/http:\/\/127\.0\.0\.1:(8787|4000)/g, origin)
    const result = await run('bash', ['-o', 'pipefail', '-c', text], dir, env)
    if (result.code !== 0) fail(c, `exit code ${result.code}\n${result.stderr}${result.stdout}`)
    else check(c, dir, result.stdout, fail)
  }
  assert.deepEqual(results, [])
  assert.ok(all.length >= 20, `ran ${all.length} commands`)
})

/** What some commands must have done besides exiting with 0. */
function check(
  c: ShellCommand,
  dir: string,
  stdout: string,
  fail: (c: ShellCommand, why: string) => void,
): void {
  if (/plan lint/.test(c.text) && !/^0 errors, 0 warnings$/m.test(stdout)) fail(c, `lint: ${stdout}`)
  const output = / -o (\S+)/.exec(c.text)?.[1] ?? / --out (\S+)/.exec(c.text)?.[1]
  if (output !== undefined && !existsSync(join(dir, output))) fail(c, `${output} was not written`)
  if (/plan codegen/.test(c.text) && output !== undefined) {
    const code = readFileSync(join(dir, output), 'utf8')
    if (!code.includes("'Order completed'")) fail(c, "the generated types lack the plan's events")
  }
}

test('the README quick start runs against `npx eventwire dev --memory` and lands in it', async () => {
  const readme = codeBlocks('README.md')
  const start = readme.findIndex((b) => b.lang === 'sh' && b.code === 'npx eventwire dev --memory')
  const quickStart = readme.slice(start + 1).find((b) => b.lang === 'ts')
  assert.ok(start >= 0 && quickStart !== undefined, 'the README starts the collector, then sends to it')
  assert.match(quickStart.code, /http:\/\/127\.0\.0\.1:8787/)
  const dir = sandbox()
  const env = environment(dir, {})
  const dev = background('sh', ['-c', 'exec npx eventwire dev --memory --port 0'], dir, env)
  try {
    const [, url] = await dev.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000)
    // `eventwire` resolves to the sources, as in the compile test (not to a build through the link).
    unlinkSync(join(dir, 'node_modules/eventwire'))
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { paths: { eventwire: [join(ROOT, 'src/index.ts')] } } }),
    )
    writeFileSync(join(dir, 'quick-start.ts'), quickStart.code.replaceAll('http://127.0.0.1:8787', url!))
    const tsx = new URL(import.meta.resolve('tsx')).pathname
    await ok(process.execPath, ['--import', tsx, 'quick-start.ts'], dir)
    const events = (await (await fetch(`${url}/_/events?name=Order%20completed`)).json()) as {
      events: Array<{ distinctId: string; valid: boolean }>
    }
    assert.deepEqual(
      events.events.map((e) => [e.distinctId, e.valid]),
      [['user-42', true]],
    )
    const profile = (await (await fetch(`${url}/_/profile?distinct_id=user-42`)).json()) as {
      properties: Record<string, unknown>
    }
    assert.deepEqual(profile.properties, { plan: 'pro', $email: 'ada@example.com' })
  } finally {
    await dev.stop()
  }
})
