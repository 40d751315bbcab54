import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createFakeClock, startTestReceiver } from '../../src/testing/index.js'
import { type CliRun, closeAfter, runCli, spawnCli, startAppServer, tempDir, writeEvents } from './helpers.js'

const TOKEN = 'tok-secret-A1B2C3D4'
const SA_SECRET = 'sa-secret-E5F6G7H8'
const GDPR = 'gdpr-secret-I9J0K1L2'
const SECRETS = [TOKEN, SA_SECRET, GDPR]

function assertNoSecret(run: Pick<CliRun, 'stdout' | 'stderr'>, what: string): void {
  for (const secret of SECRETS) {
    assert.equal(run.stdout.includes(secret), false, `${what}: a secret is on stdout:\n${run.stdout}`)
    assert.equal(run.stderr.includes(secret), false, `${what}: a secret is on stderr:\n${run.stderr}`)
  }
}

test('secrets given as flags never reach the output, even when a server echoes them', async () => {
  const dir = tempDir()
  const events = join(dir, 'events.ndjson')
  writeEvents(events, 10)
  const ids = join(dir, 'ids.txt')
  writeFileSync(ids, 'a\nb\n')
  // A careless server that repeats the credentials it was sent in its error text.
  const receiver = closeAfter(
    await startTestReceiver((request) => ({
      status: 401,
      body: {
        error: `Invalid credentials: ${request.headers.authorization} ${Buffer.from((request.headers.authorization ?? '').slice(6), 'base64')}`,
        status: 0,
      },
    })),
  )
  const app = closeAfter(
    await startAppServer((req) => ({
      status: 403,
      body: { error: `token ${req.headers.authorization} has no access (${req.query.get('token')})` },
    })),
  )
  const account = ['--service-account', `robot:${SA_SECRET}`, '--project-id', '77']
  const runs: Array<[string, CliRun]> = [
    [
      'import',
      await runCli([
        'import',
        events,
        '--token',
        TOKEN,
        ...account,
        '--api-host',
        receiver.origin,
        '--retry-limit',
        '0',
      ]),
    ],
    [
      'import --json',
      await runCli([
        'import',
        events,
        '--token',
        TOKEN,
        ...account,
        '--api-host',
        receiver.origin,
        '--restart',
        '--json',
      ]),
    ],
    [
      'bad account',
      await runCli([
        'import',
        events,
        '--token',
        TOKEN,
        '--service-account',
        SA_SECRET,
        '--project-id',
        '77',
      ]),
    ],
    [
      'people delete --dry-run',
      await runCli(['people', 'delete', '--ids', ids, '--token', TOKEN, '--dry-run']),
    ],
    [
      'people delete',
      await runCli([
        'people',
        'delete',
        '--ids',
        ids,
        '--token',
        TOKEN,
        '--api-host',
        receiver.origin,
        '--json',
      ]),
    ],
    [
      'gdpr delete',
      await runCli(
        ['gdpr', 'delete', '--ids', ids, '--token', TOKEN, '--gdpr-token', GDPR, '--api-host', app.origin],
        { clock: createFakeClock({ autoAdvanceSleeps: true }) },
      ),
    ],
    [
      'gdpr status',
      await runCli(
        ['gdpr', 'status', 'x', '--token', TOKEN, '--gdpr-token', GDPR, '--api-host', app.origin, '--json'],
        { clock: createFakeClock({ autoAdvanceSleeps: true }) },
      ),
    ],
    [
      'events deprecate',
      await runCli(['events', 'deprecate', 'E', ...account, '--api-host', app.origin], {
        clock: createFakeClock({ autoAdvanceSleeps: true }),
      }),
    ],
  ]
  for (const [what, run] of runs) {
    assert.notEqual(run.code, undefined, what)
    assertNoSecret(run, what)
  }
  const codes = Object.fromEntries(runs.map(([what, run]) => [what, run.code]))
  assert.deepEqual(codes, {
    import: 1,
    'import --json': 1,
    'bad account': 2,
    'people delete --dry-run': 0,
    'people delete': 1,
    'gdpr delete': 1,
    'gdpr status': 1,
    'events deprecate': 1,
  })
  assert.match(runs[0]![1].stderr, /Invalid credentials: Basic \[redacted\] \[redacted\]/)
  assert.match(runs[2]![1].stderr, /expected user:secret \(the value is not shown\)/)
  assert.match(runs[5]![1].stderr, /HTTP 403: token Bearer \[redacted\] has no access \(\[redacted\]\)/)
  // The credentials were used on the wire all the same.
  const importRequest = receiver.requests.find((r) => r.path === '/import')!
  assert.equal(
    importRequest.headers.authorization,
    `Basic ${Buffer.from(`robot:${SA_SECRET}`).toString('base64')}`,
  )
  assert.equal(importRequest.query.get('project_id'), '77')
})

test('credentials come from EVENTWIRE_* variables in a real process, and are not printed', async () => {
  const dir = tempDir()
  const events = join(dir, 'events.ndjson')
  writeEvents(events, 5)
  const receiver = closeAfter(
    await startTestReceiver((request) => ({
      status: 401,
      body: { error: `bad ${request.headers.authorization}` },
    })),
  )
  const child = spawnCli(['import', events, '--no-progress'], {
    EVENTWIRE_TOKEN: TOKEN,
    EVENTWIRE_SERVICE_ACCOUNT: `robot:${SA_SECRET}`,
    EVENTWIRE_PROJECT_ID: '88',
    EVENTWIRE_API_HOST: receiver.origin,
  })
  const exit = await child.exit
  assert.equal(exit.code, 1, child.stderr())
  assertNoSecret({ stdout: child.stdout(), stderr: child.stderr() }, 'child import')
  assert.match(child.stderr(), /stopped early: Mixpanel \/import answered 401: bad Basic \[redacted\]/)
  const [request] = receiver.requests
  assert.equal(
    request!.headers.authorization,
    `Basic ${Buffer.from(`robot:${SA_SECRET}`).toString('base64')}`,
  )
  assert.equal(request!.query.get('project_id'), '88')
  assert.equal((receiver.requests[0]!.records[0]!.properties as { token: string }).token, TOKEN)
})
