import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { createFakeClock } from '../testing/index.js'
import { createStderrLogger } from './logger.js'

function capture(intervalMs = 10_000) {
  const lines: string[] = []
  const clock = createFakeClock({ now: 1_000 })
  const logger = createStderrLogger((line) => lines.push(line), clock, intervalMs)
  return { lines, clock, logger }
}

test('one line per message per interval; what was held back is written when the interval ends', async () => {
  const { lines, clock, logger } = capture()
  logger.warn({ kind: 'events', count: 50 }, 'messages dropped')
  logger.warn({ kind: 'people', count: 1 }, 'messages dropped')
  logger.warn({ code: 'X' }, 'a call was refused')
  assert.deepEqual(lines, [
    'eventwire: messages dropped (kind=events, count=50)\n',
    'eventwire: a call was refused (code=X)\n',
  ])
  await clock.advance(9_999)
  assert.equal(lines.length, 2, 'held back for the whole interval')
  await clock.advance(1)
  assert.deepEqual(lines.slice(2), ['eventwire: messages dropped (kind=people, count=1)\n'])
  assert.equal(clock.pendingTimers(), 0)
})

test('several lines held back: the last is written, saying how many there were', async () => {
  const { lines, clock, logger } = capture()
  for (let i = 1; i <= 4; i++) logger.error({ n: i }, 'store failed')
  await clock.advance(10_000)
  assert.deepEqual(lines, [
    'eventwire: store failed (n=1)\n',
    'eventwire: store failed (n=4) (the last of 3 similar lines held back)\n',
  ])
  // The summary starts a new interval.
  logger.error({ n: 5 }, 'store failed')
  assert.equal(lines.length, 2)
  await clock.advance(10_000)
  assert.equal(lines[2], 'eventwire: store failed (n=5)\n')
})

test('a process that exits while lines are held back still writes them', () => {
  const script = [
    "import { stderrLogger } from './src/internal/logger.ts'",
    "stderrLogger.warn({ kind: 'events', count: 50 }, 'messages dropped')",
    "stderrLogger.warn({ kind: 'people', count: 1 }, 'messages dropped')",
  ].join('\n')
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url).pathname,
    encoding: 'utf8',
    timeout: 30_000,
  })
  assert.equal(child.status, 0, child.stderr)
  assert.equal(
    child.stderr,
    'eventwire: messages dropped (kind=events, count=50)\neventwire: messages dropped (kind=people, count=1)\n',
  )
})
