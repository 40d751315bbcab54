import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTestReceiver } from '../../src/testing/index.js'
import { type CliChild, closeAfter, runCli, spawnCli, tempDir, writeEvents } from './helpers.js'

const TOKEN = 'proj-token-0123456789'

test('an import killed halfway (SIGKILL) continues from its checkpoint and delivers the rest exactly once', async () => {
  const file = join(tempDir(), 'events.ndjson')
  writeEvents(file, 200_000)
  let child: CliChild | undefined
  const receiver = closeAfter(
    await startTestReceiver((_request, index) => {
      if (index === 50) child?.child.kill('SIGKILL')
      // A little latency keeps several batches in flight, as against a real server.
      return { status: 200, delayMs: 5 }
    }),
  )
  const args = ['import', file, '--token', TOKEN, '--api-host', receiver.origin, '--no-progress']
  child = spawnCli(args)
  const killed = await child.exit
  assert.equal(killed.signal, 'SIGKILL', child.stderr())
  await sleep(100)
  const deliveredBeforeKill = receiver.uniqueInsertIds().size
  const recordsBeforeKill = receiver.delivered('/import').length
  assert.ok(
    deliveredBeforeKill > 0 && deliveredBeforeKill < 200_000,
    `killed too late: ${deliveredBeforeKill}`,
  )
  const checkpoint = JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'))
  assert.equal(checkpoint.complete, false)
  assert.ok(checkpoint.sent <= deliveredBeforeKill, 'the checkpoint holds only acknowledged batches')

  receiver.handle(undefined)
  const again = spawnCli(args)
  const finished = await again.exit
  assert.equal(finished.code, 0, again.stderr())
  assert.match(
    again.stdout(),
    new RegExp(`resumed after ${checkpoint.records.toLocaleString('en-US')} records`),
  )
  assert.equal(receiver.uniqueInsertIds().size, 200_000, 'every event arrived')
  const sentByResume = receiver.delivered('/import').length - recordsBeforeKill
  assert.equal(
    sentByResume,
    200_000 - checkpoint.records,
    'the resumed run sends exactly what follows the checkpoint',
  )
  const window = 10 * 2000
  assert.ok(
    sentByResume <= 200_000 - deliveredBeforeKill + window,
    `${sentByResume} re-sent; at most the remaining ${200_000 - deliveredBeforeKill} plus one in-flight window`,
  )
})

test('SIGINT stops gracefully: batches in flight finish, the checkpoint holds them, the same command continues', async () => {
  const file = join(tempDir(), 'events.ndjson')
  writeEvents(file, 40_000)
  let child: CliChild | undefined
  const receiver = closeAfter(
    await startTestReceiver((_request, index) => {
      if (index === 6) child?.child.kill('SIGINT')
      return { status: 200, delayMs: 20 }
    }),
  )
  const args = [
    'import',
    file,
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--batch-size',
    '1000',
    '--concurrency',
    '4',
    '--no-progress',
  ]
  child = spawnCli(args)
  const stopped = await child.exit
  assert.equal(stopped.code, 130, child.stderr())
  assert.match(child.stderr(), /SIGINT: finishing the batches in flight and saving the checkpoint/)
  assert.match(child.stderr(), /interrupted; run the same command again to continue/)
  const checkpoint = JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'))
  assert.equal(checkpoint.complete, false)
  const delivered = receiver.uniqueInsertIds().size
  assert.ok(delivered < 40_000)
  assert.equal(checkpoint.sent, delivered, 'every acknowledged batch made it into the checkpoint')
  assert.equal(receiver.delivered('/import').length, delivered)

  receiver.handle(undefined)
  const resumed = await runCli([...args, '--json'])
  assert.equal(resumed.code, 0, resumed.stderr)
  const summary = JSON.parse(resumed.stdout)
  assert.equal(summary.sent, 40_000 - checkpoint.records)
  assert.deepEqual(summary.resumedAt, { records: checkpoint.records, line: checkpoint.line })
  assert.equal(receiver.uniqueInsertIds().size, 40_000)
  assert.equal(receiver.delivered('/import').length, 40_000, 'a graceful stop re-sends nothing')
})
