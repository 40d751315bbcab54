import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { startCollector } from '../../src/collector/index.js'
import { LocalFlagsProvider } from '../../src/flags/index.js'
import { getJson, postJson, send, start, tempDir, trackEvent } from './helpers.js'

const PLAN = {
  version: '1.0.0',
  additionalProperties: false,
  events: {
    checkoutStarted: {
      name: 'Checkout started',
      properties: {
        cart_value: { type: 'number', minimum: 0 },
        currency: { type: 'string', enum: ['EUR', 'USD'] },
      },
      required: ['cart_value'],
    },
  },
  people: { properties: { email: { type: 'string' }, plan: { type: 'string' } } },
}

test('with a tracking plan, plan issues mark items bad without changing what the sender is told', async () => {
  const collector = await start({ plan: PLAN })
  const good = trackEvent('Checkout started', 'u-1', { cart_value: 12.5, currency: 'EUR' })
  const wrongType = trackEvent('Checkout started', 'u-2', { cart_value: 'twelve' })
  const unplanned = trackEvent('Something else', 'u-3')
  const res = await postJson(`${collector.url}/track?verbose=1`, [good, wrongType, unplanned])
  assert.deepEqual(JSON.parse(res.body), { status: 1, error: null })
  const [a, b, c] = collector.events({ order: 'asc' })
  assert.equal(a!.valid, true, JSON.stringify(a!.issues))
  assert.equal(b!.valid, false)
  assert.deepEqual(
    b!.issues.map((i) => [i.source, i.code, i.path]),
    [['plan', 'invalid_type', 'properties.cart_value']],
  )
  assert.deepEqual(
    c!.issues.map((i) => [i.source, i.code]),
    [['plan', 'unplanned_event']],
  )

  await postJson(`${collector.url}/engage`, [
    { $token: 'tok', $distinct_id: 'u-1', $set: { email: 42, plan: 'pro' } },
  ])
  const [update] = collector.events({ kind: 'user' })
  assert.deepEqual(
    update!.issues.map((i) => [i.source, i.code, i.path]),
    [['plan', 'invalid_type', '$set.email']],
  )
  assert.deepEqual(
    collector.profile('u-1')?.properties,
    { email: 42, plan: 'pro' },
    'plan issues do not block profiles',
  )
  assert.deepEqual(collector.stats(), { ...collector.stats(), good: 1, bad: 2, badUpdates: 1 })
})

test('a plan that cannot be loaded stops the collector from starting', async () => {
  await assert.rejects(startCollector({ port: 0, db: ':memory:', plan: { version: 1 } as never }), {
    code: 'EVENTWIRE_INVALID_PLAN',
  })
})

const FLAGS = {
  flags: [
    {
      id: 'f1',
      name: 'New checkout',
      key: 'new-checkout',
      status: 'enabled',
      project_id: 1,
      context: 'distinct_id',
      ruleset: {
        variants: [
          { key: 'control', value: false, is_control: true, split: 0.5 },
          { key: 'on', value: true, is_control: false, split: 0.5 },
        ],
        rollout: [{ rollout_percentage: 1 }],
        test: { users: { 'qa-user': 'on' } },
      },
    },
    {
      id: 'f2',
      name: 'Beta banner',
      key: 'beta-banner',
      status: 'enabled',
      project_id: 1,
      context: 'distinct_id',
      ruleset: {
        variants: [{ key: 'shown', value: { color: 'blue' }, is_control: false, split: 1 }],
        rollout: [{ rollout_percentage: 1, runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'pro'] } }],
      },
    },
  ],
}

test('flag definitions are served with an ETag and reloaded when the file changes', async () => {
  const file = join(tempDir(), 'flags.json')
  writeFileSync(file, JSON.stringify(FLAGS))
  const collector = await start({ flags: file })
  const first = await send(`${collector.url}/flags/definitions?token=x`)
  assert.equal(first.status, 200)
  assert.deepEqual(JSON.parse(first.body), FLAGS)
  const etag = String(first.headers.etag)
  assert.match(etag, /^".+"$/)
  const cached = await send(`${collector.url}/flags/definitions`, { headers: { 'if-none-match': etag } })
  assert.equal(cached.status, 304)
  assert.equal(cached.body, '')

  const changed = { flags: [FLAGS.flags[1]] }
  writeFileSync(file, JSON.stringify(changed, null, 2))
  const second = await send(`${collector.url}/flags/definitions`, { headers: { 'if-none-match': etag } })
  assert.equal(second.status, 200)
  assert.deepEqual(JSON.parse(second.body), changed)
  assert.notEqual(second.headers.etag, etag)

  // a broken edit keeps the last good definitions
  writeFileSync(file, '{ not json')
  const third = await send(`${collector.url}/flags/definitions`)
  assert.deepEqual(JSON.parse(third.body), changed)
})

test('GET /flags evaluates with the same evaluator the SDK uses locally', async () => {
  const file = join(tempDir(), 'flags.json')
  writeFileSync(file, JSON.stringify(FLAGS))
  const collector = await start({ flags: file })
  const local = new LocalFlagsProvider({ definitions: FLAGS, reportExposure: false })
  const remote = async (context: unknown, flagKey?: string) => {
    const params = new URLSearchParams({ context: JSON.stringify(context) })
    if (flagKey) params.set('flag_key', flagKey)
    return getJson<{ code: number; flags: Record<string, { variant_key: string; variant_value: unknown }> }>(
      `${collector.url}/flags?${params}`,
    )
  }
  for (let i = 0; i < 20; i++) {
    const context = { distinct_id: `user-${i}`, custom_properties: { plan: i % 2 === 0 ? 'pro' : 'free' } }
    const answer = await remote(context)
    assert.equal(answer.code, 200)
    const expected = Object.fromEntries(
      Object.entries(local.getAllVariants(context)).map(([key, v]) => [
        key,
        { variant_key: v.variantKey, variant_value: v.value, is_qa_tester: v.isQaTester },
      ]),
    )
    assert.deepEqual(answer.flags, expected)
    assert.equal('beta-banner' in answer.flags, i % 2 === 0)
  }
  const qa = await remote({ distinct_id: 'qa-user' }, 'new-checkout')
  assert.deepEqual(qa.flags, {
    'new-checkout': { variant_key: 'on', variant_value: true, is_qa_tester: true },
  })
  const missing = await send(`${collector.url}/flags?context=${encodeURIComponent('{"device_id":"d"}')}`)
  assert.equal(missing.status, 400)
  assert.match(missing.body, /distinct_id must be provided/)
  await local.shutdown()
})

test('a broken flags file stops the collector from starting', async () => {
  const file = join(tempDir(), 'flags.json')
  writeFileSync(file, '{"flags": 3}')
  await assert.rejects(startCollector({ port: 0, db: ':memory:', flags: file }), {
    code: 'EVENTWIRE_COLLECTOR_FLAGS_FILE_INVALID',
  })
})
