import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Logger } from '../internal/index.js'
import { createFakeClock } from '../testing/index.js'
import { ExposureReporter } from './exposure.js'
import type { ExposureTracker, VariantResult } from './types.js'

interface Call {
  distinctId: string
  event: string
  properties: Record<string, unknown>
}

function recorder(
  fail?: (call: Call) => 'reject' | 'throw' | undefined,
): ExposureTracker & { calls: Call[] } {
  const calls: Call[] = []
  return {
    calls,
    track(distinctId, event, properties) {
      const call = { distinctId, event, properties }
      calls.push(call)
      const mode = fail?.(call)
      if (mode === 'throw') throw new Error('sync failure')
      return mode === 'reject' ? Promise.reject(new Error('async failure')) : Promise.resolve()
    },
  }
}

function variant(key: string, extra: Partial<VariantResult> = {}): VariantResult {
  return { variantKey: key, value: key, source: 'local', ...extra }
}

function reporter(
  tracker: ExposureTracker,
  overrides: { cacheSize?: number; ttlMs?: number; logger?: Logger } = {},
) {
  const clock = createFakeClock()
  const r = new ExposureReporter({
    tracker,
    mode: 'local',
    cacheSize: overrides.cacheSize ?? 100,
    ttlMs: overrides.ttlMs ?? 60_000,
    clock,
    logger: overrides.logger ?? { debug() {}, info() {}, warn() {}, error() {} },
  })
  return { r, clock }
}

test('sends $experiment_started with the reference properties', () => {
  const tracker = recorder()
  const { r } = reporter(tracker)
  assert.equal(
    r.report(
      'flag',
      variant('on', { experimentId: 'e1', isExperimentActive: true, isQaTester: false }),
      'u1',
    ),
    true,
  )
  assert.deepEqual(tracker.calls, [
    {
      distinctId: 'u1',
      event: '$experiment_started',
      properties: {
        'Experiment name': 'flag',
        'Variant name': 'on',
        $experiment_type: 'feature_flag',
        'Flag evaluation mode': 'local',
        $experiment_id: 'e1',
        $is_experiment_active: true,
        $is_qa_tester: false,
      },
    },
  ])
  r.report('other', variant('x'), 'u1', 12)
  const second = (tracker.calls as Call[])[1]!
  assert.deepEqual(Object.keys(second.properties), [
    'Experiment name',
    'Variant name',
    '$experiment_type',
    'Flag evaluation mode',
    'Variant fetch latency (ms)',
  ])
  assert.equal(second.properties['Variant fetch latency (ms)'], 12)
})

test('once per (distinct id, flag, variant) within the TTL', async () => {
  const tracker = recorder()
  const { r, clock } = reporter(tracker, { ttlMs: 1000 })
  for (let i = 0; i < 5; i++) r.report('f', variant('a'), 'u1')
  r.report('f', variant('b'), 'u1')
  r.report('g', variant('a'), 'u1')
  r.report('f', variant('a'), 'u2')
  assert.equal(tracker.calls.length, 4)
  await clock.advance(999)
  assert.equal(r.report('f', variant('a'), 'u1'), false)
  await clock.advance(1)
  assert.equal(r.report('f', variant('a'), 'u1'), true)
  assert.equal(tracker.calls.length, 5)
})

test('bounded: the least recently seen exposure is forgotten first', () => {
  const tracker = recorder()
  const { r } = reporter(tracker, { cacheSize: 3 })
  for (const id of ['a', 'b', 'c']) r.report('f', variant('v'), id)
  r.report('f', variant('v'), 'a') // seen again: now the most recent
  r.report('f', variant('v'), 'd') // evicts b
  assert.equal(r.size, 3)
  assert.equal(r.report('f', variant('v'), 'a'), false)
  assert.equal(r.report('f', variant('v'), 'b'), true)
  assert.deepEqual(
    tracker.calls.map((c) => c.distinctId),
    ['a', 'b', 'c', 'd', 'b'],
  )
})

test('cacheSize 0 sends every exposure', () => {
  const tracker = recorder()
  const { r } = reporter(tracker, { cacheSize: 0 })
  for (let i = 0; i < 3; i++) r.report('f', variant('v'), 'u')
  assert.equal(tracker.calls.length, 3)
  assert.equal(r.size, 0)
})

test('no distinct id, no variant key or no tracker: nothing is sent', () => {
  const tracker = recorder()
  const { r } = reporter(tracker)
  assert.equal(r.report('f', variant('v'), undefined), false)
  assert.equal(r.report('f', variant('v'), ''), false)
  assert.equal(r.report('f', variant('v'), 42), false)
  assert.equal(r.report('f', { variantKey: undefined, value: 1, source: 'fallback' }, 'u'), false)
  assert.equal(tracker.calls.length, 0)
  const none = new ExposureReporter({
    tracker: undefined,
    mode: 'remote',
    cacheSize: 1,
    ttlMs: 1,
    clock: createFakeClock(),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  })
  assert.equal(none.report('f', variant('v'), 'u'), false)
})

test('tracking failures are logged, never thrown, and the exposure is retried next time', async () => {
  const warnings: string[] = []
  const logger: Logger = { debug() {}, info() {}, error() {}, warn: (_f, m) => void warnings.push(m) }
  let mode: 'reject' | 'throw' | undefined = 'reject'
  const tracker = recorder(() => mode)
  const { r } = reporter(tracker, { logger })
  assert.equal(r.report('f', variant('v'), 'u'), true)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(warnings.length, 1)
  mode = 'throw'
  assert.equal(r.report('f', variant('v'), 'u'), true)
  assert.equal(warnings.length, 2)
  mode = undefined
  assert.equal(r.report('f', variant('v'), 'u'), true)
  assert.equal(r.report('f', variant('v'), 'u'), false)
  assert.equal(tracker.calls.length, 3)
})
