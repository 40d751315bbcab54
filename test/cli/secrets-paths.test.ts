/**
 * No secret in the output of any CLI command, on every failure path: 401 and 400 answers that
 * echo the Authorization header, `failed_records` echoing it, a reset connection, a timeout and a
 * refused TLS certificate. Secrets are given as flags and environment variables.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Command } from 'commander'
import { registerWorkerCommand } from '../../src/cli/worker-command.js'
import { Mixpanel } from '../../src/client/index.js'
import { EnqueueConsumer, RedisEventStore } from '../../src/redis/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { HttpTransport } from '../../src/transport/index.js'
import { cleanup, onCleanup } from '../batch/helpers.js'
import { runPlanCli } from '../plan/run-plan-cli.js'
import {
  ACCOUNT,
  API_SECRET,
  Capture,
  FAILURE_PATHS,
  GDPR_TOKEN,
  originFor,
  REDIS_PASSWORD,
} from '../safety/secret-capture.js'
import { startRedis } from '../stores/redis-server.js'
import { type CliRun, runCli, tempDir, writeEvents } from './helpers.js'

afterEach(cleanup)

const SA = `${ACCOUNT.username}:${ACCOUNT.secret}`
const account = ['--service-account', SA, '--project-id', '77']
const fast = ['--retry-limit', '0', '--request-timeout', '300', '--no-progress']

/** Files every command reads. */
function inputs(): { events: string; profiles: string; ids: string; plan: string } {
  const dir = tempDir()
  const events = join(dir, 'events.ndjson')
  writeEvents(events, 3)
  const profiles = join(dir, 'profiles.ndjson')
  writeFileSync(profiles, '{"distinct_id":"u1","plan":"pro"}\n')
  const ids = join(dir, 'ids.txt')
  writeFileSync(ids, 'u1\nu2\n')
  const plan = join(dir, 'plan.json')
  writeFileSync(plan, JSON.stringify({ version: '1.0.0', events: { e: { name: 'E' } } }))
  return { events, profiles, ids, plan }
}

/** Runs every command against `origin`; returns each command's output. */
async function everyCommand(origin: string): Promise<Array<[string, Pick<CliRun, 'stdout' | 'stderr'>]>> {
  const files = inputs()
  const app = {
    clock: createFakeClock({ autoAdvanceSleeps: true }),
    transport: new HttpTransport({ requestTimeoutMs: 300, connectTimeoutMs: 300 }),
  }
  onCleanup(() => app.transport.close())
  const state = join(tempDir(), 'state.sqlite')
  const connection = ['--token', 'project-token', ...account, '--api-host', origin]
  return [
    ['import', await runCli(['import', files.events, ...connection, ...fast, '--restart'])],
    ['import --json', await runCli(['import', files.events, ...connection, ...fast, '--restart', '--json'])],
    [
      'people sync',
      await runCli(['people', 'sync', files.profiles, '--state', state, ...connection, ...fast]),
    ],
    ['people delete', await runCli(['people', 'delete', '--ids', files.ids, ...connection, ...fast])],
    ['people unset', await runCli(['people', 'unset', 'plan', '--ids', files.ids, ...connection, ...fast])],
    [
      'groups delete',
      await runCli([
        'groups',
        'delete',
        '--group-key',
        'company',
        '--ids',
        files.ids,
        ...connection,
        ...fast,
      ]),
    ],
    [
      'gdpr delete',
      await runCli(
        [
          'gdpr',
          'delete',
          '--ids',
          files.ids,
          '--token',
          'project-token',
          '--gdpr-token',
          GDPR_TOKEN,
          '--api-host',
          origin,
        ],
        app,
      ),
    ],
    [
      'gdpr status',
      await runCli(
        [
          'gdpr',
          'status',
          'task-1',
          '--token',
          'project-token',
          '--gdpr-token',
          GDPR_TOKEN,
          '--api-host',
          origin,
        ],
        app,
      ),
    ],
    ['events deprecate', await runCli(['events', 'deprecate', 'E', ...account, '--api-host', origin], app)],
    ['plan push', await runPlanCli(['plan', 'push', files.plan, ...account, '--api-host', origin], app)],
    ['plan pull', await runPlanCli(['plan', 'pull', ...account, '--api-host', origin], app)],
    [
      'plan pull (secrets from the environment)',
      await runPlanCli(['plan', 'pull', '--api-host', origin], {
        ...app,
        env: { EVENTWIRE_SERVICE_ACCOUNT: SA, EVENTWIRE_PROJECT_ID: '77' },
      }),
    ],
  ]
}

/**
 * Runs `fn` while recording what reaches the process's own stderr: a command must print through
 * its scrubbed output, never past it (e.g. through the library's default logger).
 */
async function processStderr<T>(fn: () => Promise<T>): Promise<{ result: T; written: string }> {
  const original = process.stderr.write
  let written = ''
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return (original as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest)
  }) as typeof process.stderr.write
  try {
    return { result: await fn(), written }
  } finally {
    process.stderr.write = original
  }
}

describe('no secret in the output of any CLI command', () => {
  for (const path of FAILURE_PATHS) {
    test(path.name, async () => {
      const origin = await originFor(path.handler)
      const { result: runs, written } = await processStderr(() => everyCommand(origin))
      for (const [command, run] of runs) {
        const capture = new Capture()
        capture.add(run.stdout, run.stderr)
        capture.assertClean(`${command}, ${path.name}`)
        assert.notEqual(`${run.stdout}${run.stderr}`, '', `${command} printed nothing`)
      }
      assert.equal(written, '', 'a command wrote to stderr past its own output')
    })
  }

  test('eventwire worker: a Redis password and a service account, through every failure path', async () => {
    const redis = await startRedis({ args: ['--requirepass', REDIS_PASSWORD], auth: `:${REDIS_PASSWORD}@` })
    onCleanup(() => redis.stop())
    for (const path of FAILURE_PATHS) {
      const origin = await originFor(path.handler)
      const stream = `cli-secrets-${FAILURE_PATHS.indexOf(path)}`
      const store = await RedisEventStore.open({ redis: redis.url, stream })
      await new Mixpanel('project-token', { consumer: new EnqueueConsumer(store) }).import(
        'u',
        'E',
        Date.now(),
      )
      await store.close()
      const capture = new Capture()
      const write = { write: (text: string) => capture.add(text) }
      const controller = new AbortController()
      const program = new Command('eventwire').exitOverride()
      registerWorkerCommand(program, { stdout: write, stderr: write, signal: controller.signal, env: {} })
      const args = ['worker', '--redis', redis.url, '--stream', stream, '--token', 'project-token']
      const running = program.parseAsync(
        [
          ...args,
          ...account,
          '--api-host',
          origin,
          '--progress-interval',
          '100',
          '--shutdown-timeout',
          '100',
        ],
        { from: 'user' },
      )
      await new Promise((resolve) => setTimeout(resolve, 1200))
      controller.abort()
      await running
      capture.assertClean(`worker, ${path.name}`)
    }
    const capture = new Capture()
    const write = { write: (text: string) => capture.add(text) }
    const program = new Command('eventwire').exitOverride()
    registerWorkerCommand(program, {
      stdout: write,
      stderr: write,
      signal: new AbortController().signal,
      env: {},
    })
    const previous = process.exitCode
    await program.parseAsync(
      [
        'worker',
        '--redis',
        `redis://:${REDIS_PASSWORD}-x@127.0.0.1:${redis.port}`,
        '--stream',
        's',
        '--token',
        't',
      ],
      { from: 'user' },
    )
    process.exitCode = previous
    capture.assertClean('worker, Redis refusing the password')
  })
})

const DEV = fileURLToPath(new URL('../collector/fixtures/dev-cli.ts', import.meta.url))

/** Starts `eventwire dev` as a child process with `env`, its output collected. */
function dev(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', DEV, 'dev', ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return { child, output: () => output }
}

test('eventwire dev: credentials from the environment never show in its output, also on failures', async () => {
  const env = {
    EVENTWIRE_TOKEN: 'project-token',
    EVENTWIRE_API_SECRET: API_SECRET,
    EVENTWIRE_SERVICE_ACCOUNT: SA,
  }
  const running = dev(['--port', '0', '--memory', '--project-id', '77'], env)
  const started = Date.now()
  while (!/listening on (http:\/\/127\.0\.0\.1:\d+)/.test(running.output())) {
    if (Date.now() - started > 20_000) throw new Error(`dev did not start:\n${running.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output())![1]!
  assert.match(
    running.output(),
    /\/import auth {3}project token, API secret, service account \(project 77\) \(values not shown\)/,
  )
  for (const authorization of [
    `Basic ${Buffer.from(`${SA}-wrong`).toString('base64')}`,
    `Basic ${Buffer.from(`${API_SECRET}:`).toString('base64')}`,
  ]) {
    await fetch(`${url}/import?project_id=77`, { method: 'POST', headers: { authorization }, body: '[]' })
  }
  running.child.kill('SIGTERM')
  await once(running.child, 'exit')
  // A failure path: the port is taken (by a server of our own).
  const { createServer } = await import('node:net')
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const port = String((blocker.address() as { port: number }).port)
  const refused = dev(['--port', port, '--memory', '--project-id', '77'], env)
  const [code] = await once(refused.child, 'exit')
  blocker.close()
  assert.equal(code, 1, refused.output())
  assert.match(refused.output(), /cannot listen/)
  const capture = new Capture()
  capture.add(running.output(), refused.output())
  capture.assertClean('dev')
})
