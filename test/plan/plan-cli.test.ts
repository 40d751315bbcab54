import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { loadPlan } from '../../src/plan/index.js'
import { type LexiconServer, startLexiconServer } from './lexicon-server.js'
import { runPlanCli } from './run-plan-cli.js'

const SAMPLE = fileURLToPath(new URL('../../examples/plan/tracking-plan.yaml', import.meta.url))
const SECRET = 'Sup3r-S3cret-Value'
const ACCOUNT = `cli-bot.9f8e.mp-service-account:${SECRET}`
const dir = mkdtempSync(join(tmpdir(), 'eventwire-plan-cli-'))
let server: LexiconServer

before(async () => {
  server = await startLexiconServer({
    projectId: 77,
    username: 'cli-bot.9f8e.mp-service-account',
    secret: SECRET,
  })
})
after(async () => {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})

test('plan push with the service account from EVENTWIRE_SERVICE_ACCOUNT, then plan pull to YAML', async () => {
  const env = { EVENTWIRE_SERVICE_ACCOUNT: ACCOUNT }
  const push = await runPlanCli(['plan', 'push', SAMPLE, '--project-id', '77', '--api-host', server.origin], {
    env,
  })
  assert.equal(push.code, 0, push.stderr)
  assert.equal(push.stdout, 'pushed 8 schemas in 1 request: 8 added, 0 deleted\n')
  assert.equal(server.schemas.size, 8)

  const out = join(dir, 'pulled.yaml')
  const pull = await runPlanCli(
    ['plan', 'pull', '--project-id', '77', '--api-host', server.origin, '-o', out, '--plan-version', '5.0.0'],
    { env },
  )
  assert.equal(pull.code, 0, pull.stderr)
  assert.match(pull.stderr, /wrote .*pulled\.yaml \(7 events\)/)
  const plan = loadPlan(out)
  assert.equal(plan.version, '5.0.0')
  assert.equal(plan.event('User signs up')?.spec.owner, 'growth@acme.example')
  for (const run of [push, pull]) assert.doesNotMatch(`${run.stdout}${run.stderr}`, new RegExp(SECRET))
})

test('the --service-account flag wins over the environment; refusals exit 1 without the secret', async () => {
  const result = await runPlanCli(
    [
      'plan',
      'push',
      SAMPLE,
      '--project-id',
      '77',
      '--api-host',
      server.origin,
      '--service-account',
      'cli-bot:wrong-Pa55',
    ],
    { env: { EVENTWIRE_SERVICE_ACCOUNT: ACCOUNT } },
  )
  assert.equal(result.code, 1)
  assert.match(result.stderr, /HTTP 401.*\[EVENTWIRE_LEXICON_ERROR\]/)
  assert.doesNotMatch(`${result.stdout}${result.stderr}`, /wrong-Pa55|Sup3r/)
})

test('as a real process, plan push and plan pull ride out a 503 (the retry backoff keeps the process alive)', async () => {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
  const env = { ...process.env, EVENTWIRE_SERVICE_ACCOUNT: ACCOUNT }
  const run = async (args: string[]) => {
    let failedOnce = false
    server.script(() => {
      if (failedOnce) return undefined
      failedOnce = true
      return { status: 503, body: { error: 'busy' } }
    })
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString()
    })
    const [code] = (await once(child, 'exit')) as [number | null]
    server.script(undefined)
    return { code, out }
  }
  const push = await run(['plan', 'push', SAMPLE, '--project-id', '77', '--api-host', server.origin])
  assert.equal(push.code, 0, push.out)
  assert.match(push.out, /pushed 8 schemas/)
  const out = join(dir, 'pulled-after-503.yaml')
  const pull = await run(['plan', 'pull', '--project-id', '77', '--api-host', server.origin, '-o', out])
  assert.equal(pull.code, 0, pull.out)
  assert.match(pull.out, /wrote .*pulled-after-503\.yaml/)
  assert.doesNotMatch(push.out + pull.out, new RegExp(SECRET))
})
