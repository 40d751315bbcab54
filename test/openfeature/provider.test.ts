import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk'
import { LocalFlagsProvider } from '../../src/flags/index.js'
import { MixpanelProvider } from '../../src/openfeature/index.js'
import { createFakeClock, createTestConsumer } from '../../src/testing/index.js'
import { type FlagsServer, flagDefinition, gate, quietLogger, startFlagsServer } from '../flags/helpers.js'

const DEFINITIONS = {
  flags: [
    gate('new-feature'),
    gate('button-color-test', 'green'),
    gate('max-items', 25),
    gate('score-threshold', 0.75),
    gate('homepage-layout', { layout: 'grid', columns: 3 }),
    gate('list-flag', [1, 2]),
    flagDefinition('nobody', {
      ruleset: {
        variants: [{ key: 'on', value: true, is_control: false, split: 1 }],
        rollout: [{ rollout_percentage: 0 }],
      },
    }),
    flagDefinition('by-device', { context: 'device_id' }),
    flagDefinition('premium-feature', {
      ruleset: {
        variants: [{ key: 'on', value: true, is_control: false, split: 1 }],
        rollout: [{ rollout_percentage: 1, runtime_evaluation_rule: { '==': [{ var: 'plan' }, 'premium'] } }],
      },
    }),
  ],
}

let server: FlagsServer
before(async () => {
  server = await startFlagsServer(DEFINITIONS)
})
after(async () => {
  await OpenFeature.close()
  await server.close()
})

let domainCount = 0
const domain = () => `test-${++domainCount}`

test('local provider through the OpenFeature client: all four types, variant, reason, metadata', async () => {
  const consumer = createTestConsumer()
  const provider = MixpanelProvider.fromLocalConfig('token', { apiHost: server.origin, client: { consumer } })
  const name = domain()
  await OpenFeature.setProviderAndWait(name, provider)
  const client = OpenFeature.getClient(name)
  const ctx = { distinct_id: 'user-1' }

  const bool = await client.getBooleanDetails('new-feature', false, ctx)
  assert.equal(bool.value, true)
  assert.equal(bool.variant, 'on')
  assert.equal(bool.reason, 'TARGETING_MATCH')
  assert.equal(bool.errorCode, undefined)
  assert.deepEqual(
    { ...bool.flagMetadata },
    { source: 'local', experimentId: 'exp-new-feature', isExperimentActive: true, isQaTester: false },
  )
  assert.equal(await client.getStringValue('button-color-test', 'blue', ctx), 'green')
  assert.equal(await client.getNumberValue('max-items', 10, ctx), 25)
  assert.equal(await client.getNumberValue('score-threshold', 0.5, ctx), 0.75)
  assert.deepEqual(await client.getObjectValue('homepage-layout', { layout: 'default' }, ctx), {
    layout: 'grid',
    columns: 3,
  })
  assert.deepEqual(await client.getObjectValue('list-flag', [], ctx), [1, 2])

  assert.ok(provider.mixpanel !== null)
  await new Promise((resolve) => setImmediate(resolve))
  const exposures = consumer.for('events').filter((e) => e.event === '$experiment_started')
  assert.equal(exposures.length, 6)
  assert.deepEqual(
    exposures.map((e) => (e.properties as Record<string, unknown>)['Experiment name']),
    ['new-feature', 'button-color-test', 'max-items', 'score-threshold', 'homepage-layout', 'list-flag'],
  )
})

test('error codes and reasons as Mixpanel documents them', async () => {
  const provider = MixpanelProvider.fromLocalConfig('token', {
    apiHost: server.origin,
    reportExposure: false,
  })
  const name = domain()
  await OpenFeature.setProviderAndWait(name, provider)
  const client = OpenFeature.getClient(name)
  const ctx = { distinct_id: 'user-1' }

  const missing = await client.getBooleanDetails('nonexistent-flag', false, ctx)
  assert.deepEqual(
    [missing.value, missing.errorCode, missing.reason],
    [false, ErrorCode.FLAG_NOT_FOUND, 'ERROR'],
  )

  const wrongType = await client.getBooleanDetails('button-color-test', false, ctx)
  assert.deepEqual([wrongType.value, wrongType.errorCode], [false, ErrorCode.TYPE_MISMATCH])
  assert.match(wrongType.errorMessage!, /a string value/)
  const boolAsNumber = await client.getNumberDetails('new-feature', 3, ctx)
  assert.deepEqual([boolAsNumber.value, boolAsNumber.errorCode], [3, ErrorCode.TYPE_MISMATCH])
  const stringAsObject = await client.getObjectDetails('button-color-test', {}, ctx)
  assert.equal(stringAsObject.errorCode, ErrorCode.TYPE_MISMATCH)

  const noDevice = await client.getBooleanDetails('by-device', false, ctx)
  assert.deepEqual([noDevice.errorCode, noDevice.reason], [ErrorCode.TARGETING_KEY_MISSING, 'ERROR'])
  assert.match(noDevice.errorMessage!, /device_id/)

  const noRollout = await client.getBooleanDetails('nobody', false, ctx)
  assert.deepEqual([noRollout.value, noRollout.reason, noRollout.errorCode], [false, 'DEFAULT', undefined])
})

test('context attributes pass through as is; targetingKey is not distinct_id unless mapped', async () => {
  const plain = MixpanelProvider.fromLocalConfig('token', { apiHost: server.origin, reportExposure: false })
  const mapped = MixpanelProvider.fromLocalConfig('token', {
    apiHost: server.origin,
    reportExposure: false,
    targetingKeyAs: 'distinct_id',
  })
  const a = domain()
  const b = domain()
  await OpenFeature.setProviderAndWait(a, plain)
  await OpenFeature.setProviderAndWait(b, mapped)
  const byKey = { targetingKey: 'user-123' }
  const unmapped = await OpenFeature.getClient(a).getBooleanDetails('new-feature', false, byKey)
  assert.equal(unmapped.errorCode, ErrorCode.TARGETING_KEY_MISSING)
  assert.equal(await OpenFeature.getClient(b).getBooleanValue('new-feature', false, byKey), true)

  const premium = {
    distinct_id: 'u',
    custom_properties: { plan: 'PREMIUM', since: new Date('2024-01-01T00:00:00Z') },
  }
  assert.equal(await OpenFeature.getClient(a).getBooleanValue('premium-feature', false, premium), true)
  const free = { distinct_id: 'u', custom_properties: { plan: 'free' } }
  const details = await OpenFeature.getClient(a).getBooleanDetails('premium-feature', false, free)
  assert.deepEqual([details.value, details.reason], [false, 'DEFAULT'])
})

test('OpenFeature track() goes through the owned Mixpanel client', async () => {
  const consumer = createTestConsumer()
  const provider = MixpanelProvider.fromLocalConfig('token', { apiHost: server.origin, client: { consumer } })
  const name = domain()
  await OpenFeature.setProviderAndWait(name, provider)
  const client = OpenFeature.getClient(name)
  client.track('Checkout Completed', { distinct_id: 'buyer-1' }, { value: 99.5, currency: 'EUR' })
  client.track('Ignored', { targetingKey: 'no-distinct-id' }, { value: 1 })
  await new Promise((resolve) => setImmediate(resolve))
  const events = consumer.for('events')
  assert.equal(events.length, 1)
  assert.equal(events[0]!.event, 'Checkout Completed')
  const props = events[0]!.properties as Record<string, unknown>
  assert.deepEqual(
    [props.distinct_id, props.value, props.currency, props.token],
    ['buyer-1', 99.5, 'EUR', 'token'],
  )
})

test('initialize rejects when definitions cannot load; PROVIDER_NOT_READY, then READY on recovery', async () => {
  server.failNext({ status: 403, body: 'forbidden' })
  const clock = createFakeClock()
  const provider = MixpanelProvider.fromLocalConfig('token', {
    apiHost: server.origin,
    clock,
    logger: quietLogger,
  })
  const name = domain()
  await assert.rejects(OpenFeature.setProviderAndWait(name, provider), /HTTP 403: forbidden/)
  const client = OpenFeature.getClient(name)
  assert.equal(client.providerStatus, ProviderStatus.ERROR)
  const notReady = await client.getBooleanDetails('new-feature', false, { distinct_id: 'u' })
  assert.deepEqual(
    [notReady.value, notReady.errorCode, notReady.reason],
    [false, ErrorCode.PROVIDER_NOT_READY, 'ERROR'],
  )

  const readyEvents: unknown[] = []
  client.addHandler(ProviderEvents.Ready, (details) => void readyEvents.push(details))
  const recovered = new Promise<void>((resolve) => provider.flags.on('ready', () => resolve()))
  await clock.advance(60_000)
  await recovered
  assert.equal(readyEvents.length, 1)
  assert.equal(client.providerStatus, ProviderStatus.READY)
  assert.equal(await client.getBooleanValue('new-feature', false, { distinct_id: 'u' }), true)
})

test('STALE and CONFIGURATION_CHANGED reach OpenFeature handlers once each', async () => {
  server.setDefinitions(DEFINITIONS)
  const clock = createFakeClock()
  const provider = MixpanelProvider.fromLocalConfig('token', {
    apiHost: server.origin,
    clock,
    random: () => 0.5,
    staleAfterMs: 90_000,
    maxRetryDelayMs: 10_000,
    logger: quietLogger,
  })
  const name = domain()
  await OpenFeature.setProviderAndWait(name, provider)
  const client = OpenFeature.getClient(name)
  const seen: Array<{ type: string; flagsChanged?: string[] }> = []
  client.addHandler(ProviderEvents.Stale, () => void seen.push({ type: 'stale' }))
  client.addHandler(ProviderEvents.Ready, () => void seen.push({ type: 'ready' }))
  client.addHandler(
    ProviderEvents.ConfigurationChanged,
    (d) => void seen.push({ type: 'changed', flagsChanged: d?.flagsChanged }),
  )
  const step = async (ms: number, event: 'load' | 'error') => {
    const done = new Promise((resolve) => {
      const once = (payload: unknown) => {
        provider.flags.off(event, once)
        resolve(payload)
      }
      provider.flags.on(event, once)
    })
    await clock.advance(ms)
    await done
  }
  // A ready handler added after READY runs at once (spec 5.3.3).
  assert.deepEqual(seen, [{ type: 'ready' }])
  seen.length = 0

  server.setDefinitions({ flags: [...DEFINITIONS.flags.slice(1), gate('brand-new')] })
  await step(60_000, 'load')
  assert.deepEqual(seen, [{ type: 'changed', flagsChanged: ['brand-new', 'new-feature'] }])

  server.failAlways({ status: 502, body: 'bad gateway' })
  await step(60_000, 'error')
  for (let i = 0; i < 12; i++) await step(10_000, 'error')
  assert.deepEqual(
    seen.map((s) => s.type),
    ['changed', 'stale'],
  )
  assert.equal(client.providerStatus, ProviderStatus.STALE)
  // Stale definitions still evaluate.
  assert.equal(await client.getBooleanValue('brand-new', false, { distinct_id: 'u' }), true)

  server.failAlways(undefined)
  await step(10_000, 'load')
  assert.deepEqual(
    seen.map((s) => s.type),
    ['changed', 'stale', 'ready'],
  )
  assert.equal(client.providerStatus, ProviderStatus.READY)
  server.setDefinitions(DEFINITIONS)
})

test('remote provider through OpenFeature; BACKEND_ERROR becomes GENERAL with the message', async () => {
  server.onEvaluate((request) => {
    const context = JSON.parse(request.query.get('context')!) as Record<string, unknown>
    if (typeof context.distinct_id !== 'string') {
      return { status: 400, body: 'distinct_id must be provided in evalContext as a string' }
    }
    return {
      status: 200,
      body: { code: 200, flags: { 'remote-flag': { variant_key: 'v2', variant_value: 'two' } } },
    }
  })
  const consumer = createTestConsumer()
  const provider = MixpanelProvider.fromRemoteConfig('token', {
    apiHost: server.origin,
    client: { consumer },
  })
  const name = domain()
  await OpenFeature.setProviderAndWait(name, provider)
  const client = OpenFeature.getClient(name)
  const ok = await client.getStringDetails('remote-flag', 'one', { distinct_id: 'u' })
  assert.deepEqual(
    [ok.value, ok.variant, ok.reason, ok.flagMetadata.source],
    ['two', 'v2', 'TARGETING_MATCH', 'remote'],
  )
  const notFound = await client.getStringDetails('other', 'one', { distinct_id: 'u' })
  assert.equal(notFound.errorCode, ErrorCode.FLAG_NOT_FOUND)
  const failed = await client.getStringDetails('remote-flag', 'one', { targetingKey: 'u' })
  assert.deepEqual([failed.value, failed.errorCode, failed.reason], ['one', ErrorCode.GENERAL, 'ERROR'])
  assert.equal(failed.errorMessage, 'HTTP 400: distinct_id must be provided in evalContext as a string')
  await new Promise((resolve) => setImmediate(resolve))
  const exposure = consumer.for('events')[0]?.properties as Record<string, unknown>
  assert.equal(exposure['Flag evaluation mode'], 'remote')
})

test('onClose shuts down what the provider owns, and only that', async () => {
  const consumer = createTestConsumer()
  const clock = createFakeClock()
  const owning = MixpanelProvider.fromLocalConfig('token', {
    apiHost: server.origin,
    clock,
    client: { consumer },
  })
  await OpenFeature.setProviderAndWait(domain(), owning)
  await owning.onClose()
  await owning.onClose()
  await assert.rejects(consumer.send('events', [] as never), /closed/)
  const requests = server.definitionRequests().length
  await clock.advance(600_000)
  assert.equal(server.definitionRequests().length, requests)

  const flags = new LocalFlagsProvider({ definitions: DEFINITIONS })
  const wrapping = new MixpanelProvider(flags)
  assert.equal(wrapping.mixpanel, null)
  const name = domain()
  await OpenFeature.setProviderAndWait(name, wrapping)
  assert.equal(
    await OpenFeature.getClient(name).getBooleanValue('new-feature', false, { distinct_id: 'u' }),
    true,
  )
  await wrapping.onClose()
  assert.equal(flags.isEnabled('new-feature', { distinct_id: 'u' }), true)
})
