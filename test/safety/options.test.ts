/**
 * Options are checked whole, as a plain-JavaScript user meets them: every public constructor and
 * factory refuses an unknown key (naming it, and the option meant when one is close), `null` and
 * values that are not objects, and options that could not take effect.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  deleteGroupProfiles,
  deleteProfiles,
  deprecateEvents,
  GdprClient,
  importFile,
  readIds,
  syncProfiles,
  syncProfilesFromFile,
  unsetProfileProperties,
} from '../../src/bulk/index.js'
import { Mixpanel } from '../../src/client/index.js'
import { startCollector } from '../../src/collector/index.js'
import { BatchConsumer, BufferedConsumer, Consumer, FanoutConsumer } from '../../src/consumers/index.js'
import { HttpDestination, http, MixpanelDestination } from '../../src/destinations/index.js'
import { ConfigError } from '../../src/errors/index.js'
import { LocalFlagsProvider, RemoteFlagsProvider } from '../../src/flags/index.js'
import { MixpanelProvider } from '../../src/openfeature/index.js'
import {
  createPlanEnforcer,
  exportPlanSchemas,
  fromLexiconEntries,
  loadPlan,
  pullPlan,
  pushPlan,
  toLexiconEntries,
} from '../../src/plan/index.js'
import { EnqueueConsumer, RedisEventStore, runWorker } from '../../src/redis/index.js'
import { AsyncEmitter, Emitter, SnowplowDestination, snowplow, Tracker } from '../../src/snowplow/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { InMemoryEventStore } from '../../src/stores/index.js'
import {
  createFakeClock,
  createTestConsumer,
  runStoreContract,
  startTestCollector,
} from '../../src/testing/index.js'
import { HttpTransport } from '../../src/transport/index.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-options-'))
const events = join(dir, 'events.ndjson')
writeFileSync(events, '{"event":"E","properties":{"distinct_id":"u","time":1700000000}}\n')
const ids = join(dir, 'ids.txt')
writeFileSync(ids, 'a\n')
const plan = loadPlan({ version: '1.0.0', events: {} })
const account = { username: 'robot', secret: 'robot-secret', projectId: 1 }
const memory = () => new InMemoryEventStore()

type Entry = readonly [
  name: string,
  call: (options: unknown) => unknown,
  /** Options the entry needs besides the misspelt one. */
  base?: Record<string, unknown>,
]

/** Every public constructor and factory that takes an options object. */
const ENTRIES: readonly Entry[] = [
  ['Mixpanel', (o) => new Mixpanel('token', o as never)],
  ['Consumer', (o) => new Consumer(o as never)],
  ['BufferedConsumer', (o) => new BufferedConsumer(o as never)],
  ['BatchConsumer', (o) => new BatchConsumer(o as never)],
  ['MixpanelDestination', (o) => new MixpanelDestination(o as never)],
  ['HttpDestination', (o) => new HttpDestination(o as never), { url: 'https://hooks.example.com/in' }],
  ['http()', (o) => http(o as never), { url: 'https://hooks.example.com/in' }],
  ['HttpTransport', (o) => new HttpTransport(o as never)],
  ['InMemoryEventStore', (o) => new InMemoryEventStore(o as never)],
  ['SqliteEventStore', (o) => new SqliteEventStore(o as never), { path: join(dir, 'a.db') }],
  ['SqliteEventStore.open', (o) => SqliteEventStore.open(o as never), { path: join(dir, 'b.db') }],
  ['RedisEventStore', (o) => new RedisEventStore(o as never)],
  ['RedisEventStore.open', (o) => RedisEventStore.open(o as never)],
  ['EnqueueConsumer', (o) => new EnqueueConsumer(memory(), o as never)],
  ['runWorker', (o) => runWorker(o as never), { redis: 'redis://127.0.0.1:1', stream: 's', token: 't' }],
  ['Emitter', (o) => new Emitter(o as never), { endpoint: 'collector.example.com' }],
  ['AsyncEmitter', (o) => new AsyncEmitter(o as never), { endpoint: 'collector.example.com' }],
  ['Tracker', (o) => new Tracker(o as never), { namespace: 'ns', emitters: [createTestConsumer()] }],
  ['snowplow()', (o) => snowplow(o as never), { endpoint: 'collector.example.com' }],
  ['SnowplowDestination', (o) => new SnowplowDestination(o as never), { endpoint: 'collector.example.com' }],
  ['LocalFlagsProvider', (o) => new LocalFlagsProvider(o as never), { definitions: { flags: [] } }],
  ['RemoteFlagsProvider', (o) => new RemoteFlagsProvider(o as never), { token: 't' }],
  [
    'MixpanelProvider',
    (o) => new MixpanelProvider(new LocalFlagsProvider({ definitions: { flags: [] } }), o as never),
  ],
  [
    'MixpanelProvider.fromLocalConfig',
    (o) => MixpanelProvider.fromLocalConfig('token', o as never),
    { definitions: { flags: [] } },
  ],
  ['MixpanelProvider.fromRemoteConfig', (o) => MixpanelProvider.fromRemoteConfig('token', o as never)],
  ['startCollector', (o) => startCollector(o as never), { db: ':memory:', port: 0 }],
  ['startTestCollector', (o) => startTestCollector(o as never)],
  ['importFile', (o) => importFile(events, o as never), { token: 't', dryRun: true }],
  ['syncProfiles', (o) => syncProfiles([], o as never), { token: 't', statePath: ':memory:' }],
  [
    'syncProfilesFromFile',
    (o) => syncProfilesFromFile(events, o as never),
    { token: 't', statePath: ':memory:' },
  ],
  ['deleteProfiles', (o) => deleteProfiles([], o as never), { token: 't' }],
  ['unsetProfileProperties', (o) => unsetProfileProperties([], ['p'], o as never), { token: 't' }],
  ['deleteGroupProfiles', (o) => deleteGroupProfiles([], 'company', o as never), { token: 't' }],
  ['GdprClient', (o) => new GdprClient(o as never), { token: 't', gdprToken: 'g' }],
  [
    'deprecateEvents',
    (o) => deprecateEvents(['E'], o as never),
    { projectId: 1, serviceAccount: account, dryRun: true },
  ],
  ['pushPlan', (o) => pushPlan(plan, o as never), { dryRun: true }],
  ['pullPlan', (o) => pullPlan(o as never), { projectId: 1, serviceAccount: account }],
  ['readIds', (o) => readIds(ids, o as never).next()],
  ['createPlanEnforcer', (o) => createPlanEnforcer(plan, o as never)],
  ['exportPlanSchemas', (o) => exportPlanSchemas(plan, o as never)],
  ['toLexiconEntries', (o) => toLexiconEntries(plan, o as never)],
  ['fromLexiconEntries', (o) => fromLexiconEntries([], o as never)],
  ['createFakeClock', (o) => createFakeClock(o as never)],
  ['runStoreContract', (o) => runStoreContract(o as never), { name: 'x', create: memory }],
]

/** Calls `fn` and returns what it threw or rejected with (fails when it succeeded). */
async function failure(fn: () => unknown): Promise<ConfigError> {
  let result: unknown
  try {
    result = await fn()
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    return error
  }
  await (result as { close?: () => unknown })?.close?.()
  throw new assert.AssertionError({ message: 'expected the call to fail, it succeeded' })
}

describe('every public entry point checks its whole options object', () => {
  for (const [name, call, base] of ENTRIES) {
    test(`${name}: a misspelt key, null and a non-object are refused at construction`, async () => {
      const misspelt = await failure(() => call({ ...base, definitelyNotAnOption: 1 }))
      assert.equal(misspelt.code, 'EVENTWIRE_INVALID_OPTION')
      assert.equal(misspelt.option, 'definitelyNotAnOption')
      assert.match(
        misspelt.message,
        new RegExp(`^"definitelyNotAnOption" is not an option of ${escapeRegExp(name)}`),
      )
      assert.match(misspelt.message, /its options: /)
      for (const bad of [null, 42, 'options', [base ?? {}]]) {
        const error = await failure(() => call(bad))
        assert.equal(error.option, 'options', `${name}(${JSON.stringify(bad)}): ${error.message}`)
        assert.match(error.message, new RegExp(`${escapeRegExp(name)} expects an options object`))
      }
    })
  }

  test('FanoutConsumer: anything but a list of consumers is refused', async () => {
    for (const bad of [null, { consumers: [createTestConsumer()] }, [], [{}]]) {
      const error = await failure(() => new FanoutConsumer(bad as never))
      assert.match(error.option, /^consumers/)
    }
  })
})

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Each case: entry point, key given, the name the error must suggest (or the text it must hold). */
const HINTS: ReadonlyArray<readonly [string, (key: string) => unknown, string, string | RegExp]> = [
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: memory() }), 'eventStore', 'store'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: memory() }), 'event_store', 'store'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 10 }), 'batch_size', 'batchSize'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 10 }), 'flushInterval', 'flushIntervalMs'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 10 }), 'flush_interval', 'flushIntervalMs'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 'x' }), 'api_host', 'apiHost'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 'x' }), 'host', 'apiHost'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 3 }), 'retrylimit', 'retryLimit'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 3 }), 'retry_limit', 'retryLimit'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 3 }), 'max_retries', 'retryLimit'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 50 }), 'max_size', 'batchSize'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 50 }), 'maxSize', 'batchSize'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 50 }), 'flushAt', 'batchSize'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 5 }), 'request_timeout', 'requestTimeoutMs'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 5 }), 'timeout', 'requestTimeoutMs'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 5 }), 'buffer_capacity', 'bufferCapacity'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 5 }), 'maxQueueSize', 'bufferCapacity'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: 5 }), 'max_retry_delay_seconds', 'maxRetryDelayMs'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: true }), 'start_on_init', 'startOnInit'],
  ['BatchConsumer', (k) => new BatchConsumer({ [k]: {} }), 'custom_retry_codes', 'customRetryCodes'],
  ['Consumer', (k) => new Consumer({ [k]: false }), 'verify_cert', 'verifyCert'],
  ['Consumer', (k) => new Consumer({ [k]: 'x' }), 'events_url', 'eventsUrl'],
  ['Mixpanel', (k) => new Mixpanel('t', { [k]: {} }), 'local_flags_config', 'localFlags'],
  ['Mixpanel', (k) => new Mixpanel('t', { [k]: {} }), 'event_processor', 'consumer'],
  ['BufferedConsumer', (k) => new BufferedConsumer({ [k]: 50 }), 'max_size', 'maxSize'],
  ['BufferedConsumer', (k) => new BufferedConsumer({ [k]: 50 }), 'batch_size', 'maxSize'],
  ['Consumer', (k) => new Consumer({ [k]: 50 }), 'batchSize', /an option of BatchConsumer/],
  ['Mixpanel', (k) => new Mixpanel('t', { [k]: 'api-eu.mixpanel.com' }), 'host', 'apiHost'],
  ['Mixpanel', (k) => new Mixpanel('t', { [k]: 'api-eu.mixpanel.com' }), 'api_host', 'apiHost'],
  ['Mixpanel', (k) => new Mixpanel('t', { [k]: 's' }), 'secret', 'serviceAccount'],
  [
    'Mixpanel',
    (k) => new Mixpanel('t', { [k]: 10 }),
    'batchSize',
    /an option of BatchConsumer: pass \{ consumer: new BatchConsumer\(\{ batchSize \}\) \}/,
  ],
  [
    'Mixpanel',
    (k) => new Mixpanel('t', { [k]: memory() }),
    'store',
    /an option of BatchConsumer: pass \{ consumer: new BatchConsumer\(\{ store \}\) \}/,
  ],
  [
    'Mixpanel',
    (k) => new Mixpanel('t', { [k]: 10 }),
    'flush_interval',
    /\(eventwire calls it "flushIntervalMs"\): an option of BatchConsumer/,
  ],
  [
    'Mixpanel',
    (k) => new Mixpanel('t', { profileDefaults: { [k]: 0 } }),
    'geo_ip',
    /is not an option of Mixpanel's profileDefaults/,
  ],
  ['Mixpanel', (k) => new Mixpanel('t', { localFlags: { [k]: 1000 } }), 'poll_interval', 'pollingIntervalMs'],
  [
    'SqliteEventStore.open',
    (k) => SqliteEventStore.open({ path: join(dir, 'c.db'), [k]: 'every' } as never),
    'durabilty',
    'durability',
  ],
  ['RedisEventStore.open', (k) => RedisEventStore.open({ [k]: 'redis://127.0.0.1:1' }), 'url', 'redis'],
  ['RedisEventStore', (k) => new RedisEventStore({ [k]: 'redis://127.0.0.1:1' }), 'redisUrl', 'redis'],
  ['startCollector', (k) => startCollector({ db: ':memory:', port: 0, [k]: 'secret' }), 'tokn', 'token'],
  [
    'startCollector',
    (k) => startCollector({ db: ':memory:', port: 0, [k]: 'secret' }),
    'api_secret',
    'apiSecret',
  ],
  ['Emitter', (k) => new Emitter({ endpoint: 'c.example.com', [k]: memory() }), 'eventStore', 'store'],
  ['Emitter', (k) => new Emitter({ endpoint: 'c.example.com', [k]: memory() }), 'event_store', 'store'],
  ['Emitter', (k) => new Emitter({ endpoint: 'c.example.com', [k]: 5 }), 'buffer_size', 'batchSize'],
  [
    'AsyncEmitter',
    (k) => new AsyncEmitter({ endpoint: 'c.example.com', [k]: 2 }),
    'thread_count',
    'threadCount',
  ],
  ['Tracker', (k) => new Tracker({ namespace: 'n', [k]: [] } as never), 'emitter', 'emitters'],
  [
    'LocalFlagsProvider',
    (k) => new LocalFlagsProvider({ definitions: { flags: [] }, [k]: 60 }),
    'polling_interval_in_seconds',
    'pollingIntervalMs',
  ],
  [
    'RemoteFlagsProvider',
    (k) => new RemoteFlagsProvider({ token: 't', [k]: 'x' } as never),
    'api_host',
    'apiHost',
  ],
  ['runWorker', (k) => runWorker({ [k]: 'redis://h', stream: 's', token: 't' } as never), 'url', 'redis'],
  ['importFile', (k) => importFile(events, { token: 't', [k]: 10 }), 'batch_size', 'batchSize'],
  [
    'GdprClient',
    (k) => new GdprClient({ token: 't', gdprToken: 'g', [k]: 1 } as never),
    'compliance_type',
    'complianceType',
  ],
]

describe('a misspelt or foreign option name points to the eventwire name', () => {
  for (const [owner, call, key, expected] of HINTS) {
    test(`${owner}: ${key}`, async () => {
      const error = await failure(() => call(key))
      assert.equal(error.option, key)
      if (typeof expected === 'string') {
        assert.equal(error.suggestion, expected, error.message)
        assert.match(error.message, new RegExp(`; did you mean "${expected}"\\?$`))
      } else {
        assert.match(error.message, expected)
      }
    })
  }
})

describe('options that could not take effect are refused, naming them', () => {
  const consumer = () => createTestConsumer()
  const cases: ReadonlyArray<readonly [string, () => unknown, string, RegExp]> = [
    [
      'Mixpanel: apiHost with consumer',
      () => new Mixpanel('t', { apiHost: 'http://127.0.0.1:1', consumer: consumer() }),
      'apiHost',
      /cannot be combined with "consumer".*give it to that consumer/,
    ],
    [
      'Mixpanel: region with consumers',
      () => new Mixpanel('t', { region: 'eu', consumers: [consumer()] }),
      'region',
      /cannot be combined with "consumers"/,
    ],
    [
      'Mixpanel: eventsUrl with consumer',
      () => new Mixpanel('t', { eventsUrl: 'http://127.0.0.1:1/track', consumer: consumer() }),
      'eventsUrl',
      /"consumer"/,
    ],
    [
      'Mixpanel: retryLimit with consumer',
      () => new Mixpanel('t', { retryLimit: 2, consumer: consumer() }),
      'retryLimit',
      /"consumer"/,
    ],
    [
      'Mixpanel: serviceAccount with consumer',
      () => new Mixpanel('t', { serviceAccount: account, consumer: consumer() }),
      'serviceAccount',
      /localFlags \/ remoteFlags/,
    ],
    [
      'Mixpanel: consumer and consumers',
      () => new Mixpanel('t', { consumer: consumer(), consumers: [consumer()] }),
      'consumers',
      /either consumer or consumers/,
    ],
    [
      'BatchConsumer: bufferCapacity with store',
      () => new BatchConsumer({ store: memory(), bufferCapacity: 10 }),
      'bufferCapacity',
      /cannot be combined with "store"/,
    ],
    [
      'BatchConsumer: apiHost with destination',
      () => new BatchConsumer({ destination: snowplow({ endpoint: 'c.example.com' }), apiHost: 'x' }),
      'apiHost',
      /cannot be combined with "destination"/,
    ],
    [
      'Emitter: bufferCapacity with store',
      () => new Emitter({ endpoint: 'c.example.com', store: memory(), bufferCapacity: 5 }),
      'bufferCapacity',
      /cannot be combined with "store"/,
    ],
    [
      'runWorker: delivery.apiHost',
      () => runWorker({ redis: 'redis://h', stream: 's', token: 't', delivery: { apiHost: 'x' } }),
      'delivery.apiHost',
      /set it as runWorker's "apiHost" option/,
    ],
    [
      'syncProfiles: retryLimit with consumer',
      () => syncProfiles([], { token: 't', statePath: ':memory:', consumer: consumer(), retryLimit: 1 }),
      'retryLimit',
      /cannot be combined with "consumer"/,
    ],
  ]
  for (const [name, call, option, message] of cases) {
    test(name, async () => {
      const error = await failure(call)
      assert.equal(error.option, option)
      assert.match(error.message, message)
    })
  }

  test('client-level options stay allowed with a consumer: logger, clock, plan, flags', async () => {
    const mp = new Mixpanel('t', {
      consumer: consumer(),
      logger: false,
      clock: createFakeClock(),
      localFlags: { definitions: { flags: [] }, apiHost: 'http://127.0.0.1:1' },
      profileDefaults: { ip: 0 },
    })
    await mp.track('u', 'Allowed')
    await mp.close()
  })

  test('credentials in a URL option are refused, and the error does not repeat them', async () => {
    for (const [option, call] of [
      [
        'importUrl',
        () => new Consumer({ importUrl: 'https://robot:url-secret-31337@api.example.com/import' }),
      ],
      ['endpoint', () => new Emitter({ endpoint: 'https://robot:url-secret-31337@collector.example.com' })],
      ['apiHost', () => new Mixpanel('t', { apiHost: 'https://robot:url-secret-31337@api.example.com' })],
    ] as const) {
      const error = await failure(call)
      assert.equal(error.option, option)
      assert.match(error.message, /credentials must not be embedded/)
      assert.doesNotMatch(`${error.message} ${error.stack}`, /url-secret-31337/)
    }
  })

  test('a token given as the options object is refused with the call shape', async () => {
    const error = await failure(() => new Mixpanel({ token: 't' } as never))
    assert.equal(error.option, 'token')
    assert.match(error.message, /new Mixpanel\(token, options\)/)
  })
})
