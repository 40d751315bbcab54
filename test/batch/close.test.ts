import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, test } from 'node:test'
import { cleanup, harness, sorted, startReceiver, trackMany, waitFor } from './helpers.js'

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname

/** Runs a fixture with tsx; resolves with its stdout lines, exit code and signal (killed after `limitMs`). */
async function runChild(
  name: string,
  args: string[],
  onLine: (line: string, child: ReturnType<typeof spawn>) => void = () => {},
  limitMs = 30_000,
): Promise<{ lines: string[]; code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture(name), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  let buffer = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    let at = buffer.indexOf('\n')
    while (at !== -1) {
      const line = buffer.slice(0, at)
      buffer = buffer.slice(at + 1)
      lines.push(line)
      onLine(line, child)
      at = buffer.indexOf('\n')
    }
  })
  let killed = false
  const limit = setTimeout(() => {
    killed = true
    child.kill('SIGKILL')
  }, limitMs)
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null]
  clearTimeout(limit)
  return { lines, code, signal, killed }
}

describe('BatchConsumer close()', () => {
  afterEach(cleanup)
  test('close({ timeoutMs: 500 }) against a receiver that never answers: resolves at the deadline with pending', async () => {
    const receiver = await startReceiver(() => ({ action: 'hang' }))
    const h = harness({ apiHost: receiver.origin, batchSize: 10, maxConcurrentRequests: 2 })
    trackMany(h.mp, 45)
    await waitFor(() => receiver.requests.length === 2, 'two requests in flight')
    const started = Date.now()
    const result = await h.consumer.close({ timeoutMs: 500 })
    const elapsed = Date.now() - started
    assert.deepEqual(result, { sent: 0, failed: 0, dropped: 0, pending: 45 })
    assert.ok(elapsed >= 480 && elapsed < 3000, `close took ${elapsed} ms`)
    assert.equal(h.consumer.stats().inFlightRequests, 0, 'in-flight requests were aborted')
    assert.equal(h.consumer.close(), h.consumer.close(), 'idempotent: the same promise')
    assert.deepEqual(await h.consumer.close({ timeoutMs: 1 }), result)
    assert.equal(
      await h.consumer.flush(),
      undefined,
      'flush() after close() does not wait for pending messages',
    )
    await receiver.close()
  })

  test('a child process that closes against a hanging receiver exits by itself', async () => {
    const receiver = await startReceiver(() => ({ action: 'hang' }))
    const run = await runChild('close-child.ts', [receiver.origin, '30'])
    assert.equal(run.killed, false, 'the child did not exit by itself')
    assert.equal(run.code, 0)
    const report = JSON.parse(run.lines.at(-1)!) as { result: unknown; elapsedMs: number }
    assert.deepEqual(report.result, { sent: 0, failed: 0, dropped: 0, pending: 30 })
    assert.ok(report.elapsedMs >= 480 && report.elapsedMs < 3000, `close took ${report.elapsedMs} ms`)
    assert.ok(receiver.requests.length >= 1)
    await receiver.close()
  })

  test('a pending flush() keeps the process alive through a retry backoff, then it exits by itself', async () => {
    const receiver = await startReceiver((_req, index) => (index === 0 ? { status: 500 } : undefined))
    const run = await runChild('backoff-child.ts', [receiver.origin, '5'])
    assert.equal(run.killed, false)
    assert.equal(run.code, 0, 'exit code 13 would mean the process quit while flush() was pending')
    assert.deepEqual(JSON.parse(run.lines.at(-1)!), {
      sent: 5,
      result: { sent: 5, failed: 0, dropped: 0, pending: 0 },
    })
    assert.equal(receiver.requests.length, 2)
    await receiver.close()
  })

  test('closeOnSignals(): SIGTERM delivers what is waiting, then the process ends by that signal', async () => {
    const receiver = await startReceiver(() => ({ status: 200, delayMs: 200 }))
    const run = await runChild('signal-child.ts', [receiver.origin, '25'], (line, child) => {
      if (line === 'ready') child.kill('SIGTERM')
    })
    assert.equal(run.killed, false)
    assert.equal(run.signal, 'SIGTERM')
    const report = JSON.parse(run.lines.at(-1)!) as { result: unknown; trigger: string }
    assert.deepEqual(report, { result: { sent: 25, failed: 0, dropped: 0, pending: 0 }, trigger: 'SIGTERM' })
    assert.equal(receiver.uniqueInsertIds().size, 25)
    await receiver.close()
  })

  test('close() drains first; afterwards send() rejects with EVENTWIRE_CLOSED and counts a closed drop', async () => {
    const receiver = await startReceiver()
    const h = harness({ apiHost: receiver.origin, batchSize: 1000 })
    const ids = trackMany(h.mp, 30)
    assert.deepEqual(await h.consumer.close(), { sent: 30, failed: 0, dropped: 0, pending: 0 })
    assert.deepEqual(sorted(receiver.uniqueInsertIds()), sorted(ids))
    await assert.rejects(h.mp.track('user', 'Too late', { $insert_id: 'late-1' }), {
      code: 'EVENTWIRE_CLOSED',
    })
    assert.deepEqual(h.dropped('closed'), ['late-1'])
    assert.equal(h.consumer.stats().dropped.closed, 1)
    assert.deepEqual(await h.consumer.close(), { sent: 30, failed: 0, dropped: 0, pending: 0 })
    await receiver.close()
  })
})
