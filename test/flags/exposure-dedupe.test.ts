import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { LocalFlagsProvider } from '../../src/flags/index.js'
import { createFakeClock, createTestConsumer } from '../../src/testing/index.js'
import { flagDefinition } from './helpers.js'

const settle = () => new Promise((resolve) => setImmediate(resolve))

test('10,000 evaluations for 100 users of one flag send exactly 100 exposure events', async () => {
  const consumer = createTestConsumer()
  const mp = new Mixpanel('project-token', { consumer })
  const flags = new LocalFlagsProvider({
    tracker: mp,
    definitions: { flags: [flagDefinition('checkout')] },
  })
  const assigned = new Map<string, string | undefined>()
  for (let i = 0; i < 10_000; i++) {
    const distinctId = `user-${i % 100}`
    const result = flags.getVariant('checkout', false, { distinct_id: distinctId })
    assert.equal(result.source, 'local')
    assigned.set(distinctId, result.variantKey)
  }
  await settle()
  const events = consumer.for('events')
  assert.equal(events.length, 100)
  const seen = new Set<string>()
  for (const event of events) {
    assert.equal(event.event, '$experiment_started')
    const props = event.properties as Record<string, unknown>
    assert.equal(props.token, 'project-token')
    assert.equal(props['Experiment name'], 'checkout')
    assert.equal(props['Variant name'], assigned.get(props.distinct_id as string))
    assert.equal(props.$experiment_type, 'feature_flag')
    assert.equal(props['Flag evaluation mode'], 'local')
    assert.equal(props.$experiment_id, 'exp-checkout')
    assert.equal(props.$is_experiment_active, true)
    assert.equal(props.$is_qa_tester, false)
    assert.equal(typeof props.$insert_id, 'string')
    seen.add(props.distinct_id as string)
  }
  assert.equal(seen.size, 100)
})

test('exposures repeat after exposureTtlMs; reportExposure false per provider or per call', async () => {
  const consumer = createTestConsumer()
  const clock = createFakeClock()
  const mp = new Mixpanel('t', { consumer, clock })
  const definitions = { flags: [flagDefinition('f')] }
  const flags = new LocalFlagsProvider({ tracker: mp, definitions, clock, exposureTtlMs: 60_000 })
  flags.getVariant('f', null, { distinct_id: 'a' })
  flags.getVariant('f', null, { distinct_id: 'a' })
  flags.getVariant('f', null, { distinct_id: 'b' }, { reportExposure: false })
  flags.getVariant('f', null, { device_id: 'no-distinct-id', distinct_id: undefined })
  await clock.advance(60_000)
  flags.getVariant('f', null, { distinct_id: 'a' })
  await settle()
  assert.deepEqual(
    consumer.for('events').map((e) => (e.properties as Record<string, unknown>).distinct_id),
    ['a', 'a'],
  )

  const silent = new LocalFlagsProvider({ tracker: mp, definitions, reportExposure: false })
  silent.getVariant('f', null, { distinct_id: 'c' })
  silent.getVariant('f', null, { distinct_id: 'd' }, { reportExposure: true })
  await settle()
  assert.deepEqual(
    consumer.for('events').map((e) => (e.properties as Record<string, unknown>).distinct_id),
    ['a', 'a', 'd'],
  )
})

test('a closed client makes tracking fail: the evaluation is unaffected and nothing is unhandled', async () => {
  const consumer = createTestConsumer()
  const mp = new Mixpanel('t', { consumer })
  await mp.close()
  const warnings: unknown[] = []
  const flags = new LocalFlagsProvider({
    tracker: mp,
    definitions: { flags: [flagDefinition('f')] },
    logger: { debug() {}, info() {}, error() {}, warn: (fields) => void warnings.push(fields) },
  })
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    assert.equal(flags.getVariant('f', null, { distinct_id: 'a' }).source, 'local')
    await settle()
    await settle()
    assert.equal(warnings.length, 1)
    assert.equal((warnings[0] as { err: { code: string } }).err.code, 'EVENTWIRE_CLOSED')
    assert.deepEqual(unhandled, [])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})
