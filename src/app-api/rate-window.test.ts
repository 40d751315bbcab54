import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createFakeClock } from '../testing/index.js'
import { RateWindow } from './rate-window.js'

test('spaces requests to the count and budget of a sliding minute', async () => {
  const clock = createFakeClock({ autoAdvanceSleeps: true })
  const start = clock.now()
  const window = new RateWindow(clock, 2, 100)
  const at: number[] = []
  for (const cost of [10, 10, 10, 95, 1]) {
    await window.acquire(cost)
    at.push(clock.now() - start)
  }
  // 2 per minute: the third waits for the first to leave; 95 does not fit beside 10; 1 fits beside 95.
  assert.deepEqual(at, [0, 0, 60_000, 120_000, 120_000])
  assert.deepEqual(clock.sleeps, [60_000, 60_000])
})

test('a request larger than the budget waits for an empty window', async () => {
  const clock = createFakeClock({ autoAdvanceSleeps: true })
  const window = new RateWindow(clock, 5, 10)
  await window.acquire(3)
  assert.equal(await window.acquire(50), 60_000)
})
