import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { after, before, test } from 'node:test'
import { Redis } from 'ioredis'
import { RedisEventStore } from '../../src/redis/index.js'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'
import { type RedisServer, startRedis } from './redis-server.js'

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname
const ROOT = new URL('../../', import.meta.url).pathname
const PRODUCERS = 3
const PER_PRODUCER = 3000
const STREAM = 'multi'

let server: RedisServer
let receiver: TestReceiver

before(async () => {
  server = await startRedis()
  // Slow enough that every worker always has batches in flight.
  receiver = await startTestReceiver(() => ({ status: 200, delayMs: 30 }))
})
after(async () => {
  await receiver.close()
  await server.stop()
})

interface Proc {
  child: ChildProcess
  output(): string
  exited: Promise<[number | null, NodeJS.Signals | null]>
}

/** Starts a process in its own process group (so the whole npx → tsx → node chain can be signalled). */
function start(command: string, args: string[]): Proc {
  const child = spawn(command, args, { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  return { child, output: () => text, exited: once(child, 'exit') as Proc['exited'] }
}

function signalGroup(proc: Proc, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.child.pid!, signal)
  } catch {
    // Already gone.
  }
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('3 producers and 2 `eventwire worker` processes, one SIGKILLed mid-batch: every event arrives', async () => {
  const workerArgs = [
    'tsx',
    `${FIXTURES}worker-cli.ts`,
    'worker',
    '--redis',
    server.url,
    '--stream',
    STREAM,
    '--token',
    'redis-token',
    '--api-host',
    receiver.origin,
    '--concurrency',
    '2',
    '--lease-timeout',
    '1500',
    '--progress-interval',
    '300',
  ]
  const workers = [start('npx', workerArgs), start('npx', workerArgs)]
  const redis = new Redis(server.url)
  try {
    const names: string[] = []
    for (const worker of workers) {
      await until('a worker to start', () => /as (\S+)\n/.test(worker.output()))
      names.push(/as (\S+)\n/.exec(worker.output())![1]!)
    }
    const producers = Array.from({ length: PRODUCERS }, (_, p) =>
      start(process.execPath, [
        '--import',
        'tsx',
        `${FIXTURES}redis-producer.ts`,
        server.url,
        STREAM,
        String(PER_PRODUCER),
        `p${p}`,
      ]),
    )

    // Kill the first worker while it holds a lease: its batch must be taken over by the other.
    const victim = names[0]!
    let held = 0
    await until('the first worker to hold a lease', async () => {
      const summary = (await redis.xpending(`{${STREAM}}:events`, 'eventwire')) as [
        number,
        string,
        string,
        Array<[string, string]> | null,
      ]
      held = Number(summary[3]?.find(([name]) => name === victim)?.[1] ?? 0)
      return held > 0
    })
    signalGroup(workers[0]!, 'SIGKILL')
    const [, killSignal] = await workers[0]!.exited
    assert.equal(killSignal, 'SIGKILL')

    for (const producer of producers) {
      const [code] = await producer.exited
      assert.equal(code, 0, producer.output())
      assert.match(producer.output(), new RegExp(`stored ${PER_PRODUCER}\\n`))
    }
    const produced = PRODUCERS * PER_PRODUCER
    await until('every event to arrive', () => receiver.uniqueInsertIds().size >= produced)

    // SIGTERM to the worker itself (its pid is part of its consumer name); npx exits with its code.
    process.kill(Number(/-(\d+)-[^-]+$/.exec(names[1]!)![1]), 'SIGTERM')
    const [code] = await workers[1]!.exited
    assert.equal(code, 0, workers[1]!.output())
    assert.match(workers[1]!.output(), /eventwire worker stopped: \d+ sent/)
    assert.doesNotMatch(workers[1]!.output(), /^(error|warning):/m)
    assert.match(workers[1]!.output(), /eventwire worker running: \d+ sent \(\d+\/s\)/)

    const expected = new Set<string>()
    for (let p = 0; p < PRODUCERS; p++) for (let i = 0; i < PER_PRODUCER; i++) expected.add(`p${p}-${i}`)
    assert.deepEqual(receiver.uniqueInsertIds(), expected)
    assert.ok(held > 0)

    const store = await RedisEventStore.open({ redis: server.url, stream: STREAM })
    const size = await store.size()
    await store.close()
    assert.equal(size.count, 0)
    assert.equal(size.bytes, 0)
  } finally {
    for (const worker of workers) signalGroup(worker, 'SIGKILL')
    redis.disconnect()
  }
})
