import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { Command } from 'commander'
import { registerWorkerCommand } from '../../src/cli/worker-command.js'
import { Mixpanel } from '../../src/client/index.js'
import { createMessage } from '../../src/message/index.js'
import { EnqueueConsumer, RedisEventStore, runWorker } from '../../src/redis/index.js'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'
import { type RedisServer, startRedis } from './redis-server.js'

let server: RedisServer
let receiver: TestReceiver

before(async () => {
  server = await startRedis()
  receiver = await startTestReceiver()
})
after(async () => {
  await receiver.close()
  await server.stop()
})

function output() {
  const lines: string[] = []
  return { lines, write: (text: string) => lines.push(text) }
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('`eventwire worker` drains the queue, prints progress, and stops cleanly when signalled', async () => {
  const store = await RedisEventStore.open({ redis: server.url, stream: 'cli' })
  const mp = new Mixpanel('tok', { consumer: new EnqueueConsumer(store) })
  for (let i = 0; i < 120; i++) await mp.track(`u${i % 3}`, 'From the app', { $insert_id: `cli-${i}` })
  await mp.people.set('u1', { plan: 'pro' })
  // A message enqueued by a producer that left the token to the worker.
  await store.add([
    createMessage(
      'events',
      'cli-no-token',
      { event: 'Bare', properties: { distinct_id: 'u9', $insert_id: 'cli-no-token' } },
      1,
    ),
  ])

  const stdout = output()
  const stderr = output()
  const controller = new AbortController()
  const program = new Command('eventwire').exitOverride()
  registerWorkerCommand(program, { stdout, stderr, signal: controller.signal })
  const running = program.parseAsync(
    [
      'worker',
      '--redis',
      server.url,
      '--stream',
      'cli',
      '--token',
      'worker-token',
      '--api-host',
      receiver.origin,
      '--progress-interval',
      '50',
    ],
    { from: 'user' },
  )
  await until(
    'the queue to drain',
    () => receiver.uniqueInsertIds().size === 121 && receiver.delivered('/engage').length === 1,
  )
  await until('a progress line', () => stdout.lines.some((line) => /worker running: 122 sent/.test(line)))
  controller.abort()
  await running

  assert.match(
    stdout.lines.at(-1)!,
    /^eventwire worker stopped: 122 sent, 0 failed, 0 dropped, \d+ requests\n$/,
  )
  assert.deepEqual(stderr.lines, [])
  const bare = receiver.delivered('/track').find((r) => r.event === 'Bare')!
  assert.equal((bare.properties as Record<string, unknown>).token, 'worker-token')
  const tracked = receiver.delivered('/track').find((r) => r.event === 'From the app')!
  assert.equal((tracked.properties as Record<string, unknown>).token, 'tok')
  assert.equal((await store.size()).count, 0)
  await store.close()
})

test('`eventwire worker` refuses bad options before connecting', async () => {
  const program = new Command('eventwire')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
  registerWorkerCommand(program, { stdout: output(), stderr: output(), signal: AbortSignal.abort() })
  await assert.rejects(
    program.parseAsync(
      ['worker', '--redis', server.url, '--stream', 's', '--token', 't', '--concurrency', '0'],
      { from: 'user' },
    ),
    { code: 'commander.invalidArgument' },
  )
  const missing = new Command('eventwire')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} })
  registerWorkerCommand(missing, { stdout: output(), stderr: output(), signal: AbortSignal.abort() })
  await assert.rejects(
    missing.parseAsync(['worker', '--redis', server.url, '--token', 't'], { from: 'user' }),
    {
      code: 'commander.missingMandatoryOptionValue',
    },
  )
})

test('`eventwire worker` reports an unreachable Redis without the password', async () => {
  const stderr = output()
  const program = new Command('eventwire').exitOverride()
  registerWorkerCommand(program, { stdout: output(), stderr, signal: new AbortController().signal })
  const previous = process.exitCode
  await program.parseAsync(
    ['worker', '--redis', 'redis://:hunter2-secret@127.0.0.1:1', '--stream', 's', '--token', 't'],
    { from: 'user' },
  )
  assert.equal(process.exitCode, 1)
  process.exitCode = previous
  const text = stderr.lines.join('')
  assert.match(
    text,
    /^eventwire worker: Redis store at redis:\/\/:\[redacted\]@127\.0\.0\.1:1 failed: .*\[EVENTWIRE_STORE_ERROR\]/,
  )
  assert.doesNotMatch(text, /hunter2/)
})

test('`eventwire worker` reads the token from EVENTWIRE_TOKEN like every command, and names MIXPANEL_TOKEN when only that is set', async () => {
  const run = async (env: Record<string, string>, extra: string[] = []) => {
    const stderr = output()
    const program = new Command('eventwire').exitOverride()
    registerWorkerCommand(program, { stdout: output(), stderr, signal: AbortSignal.abort(), env })
    const previous = process.exitCode
    await program.parseAsync(['worker', '--redis', server.url, '--stream', 'env-token', ...extra], {
      from: 'user',
    })
    const code = process.exitCode
    process.exitCode = previous
    return { code, text: stderr.lines.join('') }
  }
  const legacy = await run({ MIXPANEL_TOKEN: 'legacy-token-value' })
  assert.equal(legacy.code, 2)
  assert.match(
    legacy.text,
    /--token or EVENTWIRE_TOKEN.*MIXPANEL_TOKEN is set, but eventwire reads EVENTWIRE_TOKEN/,
  )
  assert.doesNotMatch(legacy.text, /legacy-token-value/)
  const renamed = await run({ EVENTWIRE_TOKEN: 't' }, ['--service-account-user', 'robot'])
  assert.equal(renamed.code, 2)
  assert.match(renamed.text, /--service-account-user was replaced by --service-account <user:secret>/)
  const ok = await run({ EVENTWIRE_TOKEN: 'from-env' })
  assert.equal(ok.code, 0, ok.text)
})

test('runWorker validates its options', async () => {
  await assert.rejects(runWorker({ redis: server.url, stream: '', token: 't' }), {
    code: 'EVENTWIRE_INVALID_OPTION',
    option: 'stream',
  })
  await assert.rejects(runWorker({ redis: server.url, stream: 's', token: 't', concurrency: 0 }), {
    option: 'concurrency',
  })
  await assert.rejects(runWorker({ redis: 'http://localhost', stream: 's', token: 't' }), { option: 'redis' })
})

test('EnqueueConsumer reports what a full store refused, and those calls reject', async () => {
  const store = await RedisEventStore.open({ redis: server.url, stream: 'full', bufferCapacity: 2 })
  const dropped: string[] = []
  const consumer = new EnqueueConsumer(store, {
    onDrop: (messages) => dropped.push(...messages.map((m) => m.id)),
  })
  const mp = new Mixpanel('tok', { consumer })
  const codes: string[] = []
  for (let i = 0; i < 4; i++) {
    await mp.track('u', 'E', { $insert_id: `full-${i}` }).then(
      () => codes.push('stored'),
      (error: { code: string }) => codes.push(error.code),
    )
  }
  assert.deepEqual(codes, ['stored', 'stored', 'EVENTWIRE_QUEUE_FULL', 'EVENTWIRE_QUEUE_FULL'])
  assert.deepEqual(dropped, ['full-2', 'full-3'])
  assert.deepEqual(await mp.close(), { sent: 2, failed: 0, dropped: 2, pending: 0 })
  await assert.rejects(mp.track('u', 'E'), { code: 'EVENTWIRE_CLOSED' })
  await store.close()
})

test('a worker rides out a Redis restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventwire-redis-restart-'))
  const args = ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir]
  let redis = await startRedis({ args })
  const producer = await RedisEventStore.open({ redis: redis.url, stream: 'restart' })
  const batch = (from: number) =>
    Array.from({ length: 50 }, (_, i) =>
      createMessage(
        'events',
        `restart-${from + i}`,
        { event: 'R', properties: { token: 't', $insert_id: `restart-${from + i}` } },
        1,
      ),
    )
  const arrived = () => [...receiver.uniqueInsertIds()].filter((id) => id.startsWith('restart-')).length
  await producer.add(batch(0))
  const controller = new AbortController()
  const running = runWorker({
    redis: redis.url,
    stream: 'restart',
    token: 't',
    apiHost: receiver.origin,
    pollIntervalMs: 50,
    progressIntervalMs: 0,
    signal: controller.signal,
  })
  try {
    await until('the first batch', () => arrived() === 50)
    await redis.stop('SIGKILL')
    redis = await startRedis({ args, port: redis.port })
    await producer.add(batch(50))
    await until('the batch enqueued after the restart', () => arrived() === 100)
  } finally {
    controller.abort()
    const result = await running
    assert.ok(result.sent >= 100)
    await producer.close()
    await redis.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
