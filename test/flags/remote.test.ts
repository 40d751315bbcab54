import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type ExposureTracker, type RemoteFlagsOptions, RemoteFlagsProvider } from '../../src/flags/index.js'
import { LIB_VERSION } from '../../src/internal/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { type FlagsServer, quietLogger, startFlagsServer } from './helpers.js'

let server: FlagsServer
before(async () => {
  server = await startFlagsServer()
})
after(() => server.close())

const open: RemoteFlagsProvider[] = []
after(async () => {
  for (const p of open) await p.shutdown()
})

interface Tracked {
  distinctId: string
  event: string
  properties: Record<string, unknown>
}

function remote(options: Partial<RemoteFlagsOptions> = {}): { p: RemoteFlagsProvider; tracked: Tracked[] } {
  const tracked: Tracked[] = []
  const tracker: ExposureTracker = {
    track: async (distinctId, event, properties) => void tracked.push({ distinctId, event, properties }),
  }
  const p = new RemoteFlagsProvider({
    token: 'secret-token',
    apiHost: server.origin,
    tracker,
    clock: createFakeClock({ autoAdvanceSleeps: true }),
    random: () => 1,
    logger: quietLogger,
    ...options,
  })
  open.push(p)
  return { p, tracked }
}

const SELECTED = {
  variant_key: 'treatment',
  variant_value: { color: 'green' },
  experiment_id: 'exp-9',
  is_experiment_active: true,
  is_qa_tester: false,
}

test('GET /flags with the context and flag key; the answer becomes a remote result with an exposure', async () => {
  server.onEvaluate(() => ({ status: 200, body: { code: 200, flags: { checkout: SELECTED } } }))
  const before = server.evaluationRequests().length
  const { p, tracked } = remote()
  const context = { distinct_id: 'u-1', custom_properties: { plan: 'pro' } }
  const result = await p.getVariant('checkout', { color: 'blue' }, context)
  assert.deepEqual(
    { ...result },
    {
      variantKey: 'treatment',
      value: { color: 'green' },
      source: 'remote',
      reason: undefined,
      message: undefined,
      experimentId: 'exp-9',
      isExperimentActive: true,
      isQaTester: false,
    },
  )
  const request = server.evaluationRequests()[before]!
  assert.equal(request.method, 'GET')
  assert.deepEqual(JSON.parse(request.query.get('context')!), context)
  assert.equal(request.query.get('flag_key'), 'checkout')
  assert.equal(request.query.get('token'), 'secret-token')
  assert.equal(request.query.get('mp_lib'), 'eventwire')
  assert.equal(request.query.get('$lib_version'), LIB_VERSION)
  assert.equal(request.headers.authorization, `Basic ${Buffer.from('secret-token:').toString('base64')}`)
  assert.equal(tracked.length, 1)
  assert.equal(tracked[0]!.distinctId, 'u-1')
  assert.equal(tracked[0]!.event, '$experiment_started')
  assert.equal(tracked[0]!.properties['Flag evaluation mode'], 'remote')
  assert.equal(tracked[0]!.properties['Variant name'], 'treatment')
  assert.equal(tracked[0]!.properties.$experiment_id, 'exp-9')
  assert.equal(typeof tracked[0]!.properties['Variant fetch latency (ms)'], 'number')
  // Deduplicated like local exposures.
  await p.getVariant('checkout', null, context)
  assert.equal(tracked.length, 1)
  await p.getVariant('checkout', null, { distinct_id: 'u-2' }, { reportExposure: false })
  assert.equal(tracked.length, 1)
})

test('a flag absent from the answer is FLAG_NOT_FOUND; isEnabled, getVariantValue, getAllVariants', async () => {
  server.onEvaluate((request) => {
    const key = request.query.get('flag_key')
    const flags: Record<string, unknown> = {
      gate: { variant_key: 'on', variant_value: true },
      other: SELECTED,
    }
    return {
      status: 200,
      body: { code: 200, flags: key === null ? flags : key in flags ? { [key]: flags[key] } : {} },
    }
  })
  const { p, tracked } = remote()
  const missing = await p.getVariant('nope', 'fb', { distinct_id: 'u' })
  assert.deepEqual([missing.source, missing.reason, missing.value], ['fallback', 'FLAG_NOT_FOUND', 'fb'])
  assert.equal(await p.isEnabled('gate', { distinct_id: 'u' }), true)
  assert.equal(await p.isEnabled('other', { distinct_id: 'u' }), false)
  assert.deepEqual(await p.getVariantValue('other', null, { distinct_id: 'u' }), { color: 'green' })
  const before = tracked.length
  const all = await p.getAllVariants({ distinct_id: 'w' })
  assert.deepEqual(Object.keys(all ?? {}).sort(), ['gate', 'other'])
  assert.equal(all?.gate?.source, 'remote')
  assert.equal(tracked.length, before, 'getAllVariants never tracks')
  assert.equal(p.areFlagsReady(), true)
})

test('HTTP errors become BACKEND_ERROR "HTTP <status>: <body>", never the URL; 4xx is not retried', async () => {
  server.onEvaluate(() => ({ status: 400, body: 'distinct_id must be provided in evalContext as a string' }))
  const before = server.evaluationRequests().length
  const { p, tracked } = remote()
  const result = await p.getVariant('checkout', false, { device_id: 'd' })
  assert.equal(result.reason, 'BACKEND_ERROR')
  assert.equal(result.message, 'HTTP 400: distinct_id must be provided in evalContext as a string')
  assert.equal(result.value, false)
  assert.equal(server.evaluationRequests().length, before + 1)
  assert.equal(tracked.length, 0)
  assert.equal(await p.getAllVariants({ distinct_id: 'u' }), null)
})

test('5xx and network errors are retried (retryLimit); a long Retry-After is not waited for', async () => {
  let calls = 0
  server.onEvaluate(() => {
    calls++
    return calls === 1
      ? { status: 503, body: 'busy' }
      : { status: 200, body: { code: 200, flags: { checkout: SELECTED } } }
  })
  const { p } = remote()
  assert.equal((await p.getVariant('checkout', null, { distinct_id: 'u' })).variantKey, 'treatment')
  assert.equal(calls, 2)

  calls = 0
  server.onEvaluate(() => {
    calls++
    return { status: 500, body: 'still broken' }
  })
  const failed = await p.getVariant('checkout', null, { distinct_id: 'u' })
  assert.equal(failed.message, 'HTTP 500: still broken')
  assert.equal(calls, 2, 'one retry by default')

  calls = 0
  server.onEvaluate(() => {
    calls++
    return { status: 429, body: 'rate limited', headers: { 'retry-after': '60' } }
  })
  const limited = await p.getVariant('checkout', null, { distinct_id: 'u' })
  assert.equal(limited.message, 'HTTP 429: rate limited')
  assert.equal(calls, 1)

  calls = 0
  server.onEvaluate(() => {
    calls++
    return calls === 1
      ? { action: 'reset' }
      : { status: 200, body: { code: 200, flags: { checkout: SELECTED } } }
  })
  assert.equal((await p.getVariant('checkout', null, { distinct_id: 'u' })).source, 'remote')
  assert.equal(calls, 2)

  server.onEvaluate(() => ({ action: 'reset' }))
  const network = await p.getVariant('checkout', null, { distinct_id: 'u' })
  assert.equal(network.reason, 'BACKEND_ERROR')
  assert.match(network.message!, /^EVENTWIRE_NETWORK_ERROR: /)
  assert.doesNotMatch(network.message!, /127\.0\.0\.1|secret-token|flags/)
})

test('request timeout and unreadable answers', async () => {
  server.onEvaluate(() => ({ status: 200, body: '<html>' }))
  const { p } = remote()
  const garbled = await p.getVariant('checkout', null, { distinct_id: 'u' })
  assert.equal(garbled.reason, 'BACKEND_ERROR')
  assert.match(garbled.message!, /not \{ "flags"/)

  server.onEvaluate(() => ({ action: 'hang' }))
  const slow = new RemoteFlagsProvider({
    token: 't',
    apiHost: server.origin,
    requestTimeoutMs: 150,
    retryLimit: 0,
    logger: quietLogger,
  })
  open.push(slow)
  const timedOut = await slow.getVariant('checkout', 'fb', { distinct_id: 'u' })
  assert.equal(timedOut.reason, 'BACKEND_ERROR')
  assert.equal(timedOut.message, 'EVENTWIRE_TIMEOUT: no complete response within 150 ms')
  assert.equal(timedOut.value, 'fb')
})

test('after shutdown, evaluations return BACKEND_ERROR without a request', async () => {
  server.onEvaluate(() => ({ status: 200, body: { code: 200, flags: {} } }))
  const { p } = remote()
  await p.shutdown()
  const before = server.evaluationRequests().length
  const result = await p.getVariant('checkout', 1, { distinct_id: 'u' })
  assert.deepEqual([result.reason, result.value], ['BACKEND_ERROR', 1])
  assert.equal(server.evaluationRequests().length, before)
})
