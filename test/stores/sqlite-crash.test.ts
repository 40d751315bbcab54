import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

const CHILD = new URL('./fixtures/sqlite-crash-child.ts', import.meta.url).pathname
const EVENTS = 20_000
const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-crash-'))
let receiver: TestReceiver

before(async () => {
  // A slow Mixpanel: messages pile up in the store, so a kill catches many undelivered.
  receiver = await startTestReceiver(() => ({ status: 200, delayMs: 25 }))
})
after(async () => {
  await receiver.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Runs the tracking child and SIGKILLs it once `killAfter` track() calls have resolved. */
async function trackUntilKilled(
  path: string,
  durability: string,
  prefix: string,
  killAfter: number,
): Promise<string[]> {
  const log = `${path}.resolved`
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, 'track', path, receiver.origin, durability, String(EVENTS), prefix, log],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  const exited = once(child, 'exit')
  const resolvedSoFar = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0)
  while (child.exitCode === null && child.signalCode === null) {
    if (resolvedSoFar() >= killAfter) {
      child.kill('SIGKILL')
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const [code, signal] = await exited
  assert.equal(signal, 'SIGKILL', `the child was not killed (exit code ${code})`)
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(`${prefix}-`))
}

async function flushInNewProcess(
  path: string,
  durability: string,
): Promise<{ sent: number; pending: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, 'flush', path, receiver.origin, durability],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code] = await once(child, 'exit')
  assert.equal(code, 0)
  return JSON.parse(out.trim().split('\n').pop()!)
}

// Three kill points in 'every' mode (the acceptance case), one in 'batch': both promise that every
// resolved track() survives a SIGKILL (they differ on power loss, which a test cannot cause).
for (const [run, durability, fraction] of [
  [1, 'every', 0.05 + Math.random() * 0.25],
  [2, 'every', 0.35 + Math.random() * 0.3],
  [3, 'every', 0.7 + Math.random() * 0.25],
  [4, 'batch', 0.05 + Math.random() * 0.9],
] as const) {
  const killAfter = Math.floor(EVENTS * fraction)
  test(`SQLite '${durability}': every resolved track() arrives after a SIGKILL (kill point ${run}: ${killAfter} resolved)`, async () => {
    const path = join(dir, `crash-${run}.db`)
    const prefix = `crash${run}`
    const resolved = await trackUntilKilled(path, durability, prefix, killAfter)
    assert.ok(
      resolved.length >= killAfter && resolved.length < EVENTS,
      `killed after ${resolved.length} resolved`,
    )
    const before = countWith(prefix)
    const flushed = await flushInNewProcess(path, durability)
    // flush() in the new process must also wait for the messages the reopened store already held.
    assert.equal(
      flushed.pending,
      0,
      `flush() and close() in the new process left ${flushed.pending} messages of the reopened store undelivered`,
    )
    const received = idsWith(prefix)
    assert.ok(flushed.sent > 0, 'the new process found nothing left in the store')
    assert.ok(received.size > before)
    const missing = resolved.filter((id) => !received.has(id))
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} resolved events never arrived`)
    for (const id of received) assert.match(id, new RegExp(`^${prefix}-\\d+$`))
  })
}

function idsWith(prefix: string): Set<string> {
  return new Set([...receiver.uniqueInsertIds()].filter((id) => id.startsWith(`${prefix}-`)))
}

function countWith(prefix: string): number {
  return idsWith(prefix).size
}
