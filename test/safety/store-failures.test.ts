/**
 * A store that fails under a BatchConsumer — Redis killed or frozen, SQLite out of disk — never
 * takes the process down or hangs a call: failed adds become counted `store_failed` drops whose
 * calls reject (also when nobody awaits them), and every message is accounted for.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, afterEach, describe, test } from 'node:test'
import type { ConsumerStats } from '../../src/consumers/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'
import { startRedis } from '../stores/redis-server.js'
import { closedOrigin } from './helpers.js'

afterEach(cleanup)
const dir = mkdtempSync(join(tmpdir(), 'eventwire-store-failure-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const fixture = new URL('./fixtures/store-failure.ts', import.meta.url).pathname

/** A fixture child driven line by line: `send` a command, `next` reads its next JSON line. */
interface Driven {
  send(command: string): void
  /** Sends the last command and closes stdin. */
  end(command: string): void
  next(): Promise<Record<string, unknown>>
  exit: Promise<number | null>
  stderr(): string
}

function drive(command: string, args: string[]): Driven {
  const child: ChildProcess = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const limit = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const exit = once(child, 'exit').then(([code]) => {
    clearTimeout(limit)
    return code as number | null
  })
  return {
    send: (line) => child.stdin!.write(`${line}\n`),
    end: (line) => child.stdin!.end(`${line}\n`),
    next: async () => {
      const { value, done } = await lines.next()
      if (done) throw new Error(`the child ended early: ${stderr}`)
      return JSON.parse(value as string) as Record<string, unknown>
    },
    exit,
    stderr: () => stderr,
  }
}

function assertAccounted(stats: ConsumerStats, pending: number): void {
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0)
  assert.equal(
    stats.sent + dropped + pending,
    stats.accepted,
    `every accepted message is accounted for once: ${JSON.stringify({ ...stats, pending })}`,
  )
}

async function finish(child: Driven): Promise<{ stats: ConsumerStats; failures: string[] }> {
  child.end('close 1000')
  const closed = (await child.next()) as {
    result: { pending: number }
    stats: ConsumerStats
    failures: string[]
  }
  assert.deepEqual(await child.next(), { alive: true })
  assert.equal(await child.exit, 0, `the process lives and exits normally: ${child.stderr()}`)
  assertAccounted(closed.stats, closed.result.pending)
  return closed
}

describe('Redis store under a BatchConsumer', () => {
  test('Redis killed mid-run: the process lives, the adds that failed are counted and their calls reject', async () => {
    const redis = await startRedis()
    const receiver = await startReceiver()
    const child = drive(process.execPath, ['--import', 'tsx', fixture, 'redis', receiver.origin, redis.url])
    child.send('track 100')
    assert.deepEqual(await child.next(), { tracked: 100 })
    await redis.stop('SIGKILL')
    child.send('track 100')
    assert.deepEqual(await child.next(), { tracked: 200 })
    child.send('await')
    const awaited = await child.next()
    assert.equal(awaited.awaited, 'rejected')
    assert.equal(awaited.code, 'EVENTWIRE_STORE_ERROR')
    const { stats, failures } = await finish(child)
    assert.ok(stats.dropped.store_failed >= 101, `${stats.dropped.store_failed} store_failed drops`)
    assert.ok(failures.includes('EVENTWIRE_STORE_ERROR'))
    assert.ok(receiver.uniqueInsertIds().size <= 100)
  })

  test('Redis frozen (SIGSTOP): an awaited track() settles with an error instead of hanging; after SIGCONT it works', async () => {
    const redis = await startRedis()
    const receiver = await startReceiver()
    const child = drive(process.execPath, ['--import', 'tsx', fixture, 'redis', receiver.origin, redis.url])
    child.send('track 10')
    assert.deepEqual(await child.next(), { tracked: 10 })
    redis.signal('SIGSTOP')
    try {
      child.send('await')
      const frozen = await child.next()
      assert.equal(frozen.awaited, 'rejected')
      assert.equal(frozen.code, 'EVENTWIRE_STORE_ERROR')
    } finally {
      redis.signal('SIGCONT')
    }
    child.send('await')
    assert.equal((await child.next()).awaited, 'resolved')
    const { stats } = await finish(child)
    assert.equal(stats.dropped.store_failed, 1)
    await redis.stop()
  })
})

describe('SQLite store under a BatchConsumer', () => {
  test('the disk fills up (file size limit): the process lives, failed adds are counted, their calls reject', async () => {
    const path = join(dir, 'full.db')
    // A 1 MiB file size limit (ulimit -f counts 512-byte blocks); SIGXFSZ ignored so writes fail with EFBIG.
    const script = `trap '' XFSZ; ulimit -f 2048; exec "${process.execPath}" --import tsx "${fixture}" sqlite "${await closedOrigin()}" "${path}"`
    const child = drive('sh', ['-c', script])
    child.send('track 3000')
    assert.deepEqual(await child.next(), { tracked: 3000 })
    // Where the last failed write began, a few rows may still fit (how many depends on how the
    // intake cut its slices); once the file is full, an awaited call rejects with the store error.
    child.send('await-until-refused 1000')
    const awaited = await child.next()
    assert.equal(awaited.refused, 'EVENTWIRE_STORE_ERROR', JSON.stringify(awaited))
    assert.ok((awaited.resolved as number) < 1000)
    const { stats, failures } = await finish(child)
    assert.ok(stats.dropped.store_failed > 0, `${stats.dropped.store_failed} store_failed drops`)
    assert.ok(failures.includes('EVENTWIRE_STORE_ERROR'))
  })
})
