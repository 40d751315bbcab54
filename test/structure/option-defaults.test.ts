/**
 * Defaults are written once (STYLE.md): each public options interface has one `*_DEFAULTS` object
 * that the code reads, and every `@default` its TSDoc shows is that object's value. A `@default`
 * that is prose rather than a value (a derived or injected default) is listed below with why.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { APP_API_CONNECTION_DEFAULTS } from '../../src/app-api/connection.js'
import { GDPR_CLIENT_DEFAULTS } from '../../src/app-api/gdpr-client.js'
import { BULK_DEFAULTS } from '../../src/bulk/delivery/bulk-options.js'
import { IMPORT_FILE_DEFAULTS } from '../../src/bulk/import/import-types.js'
import { MIXPANEL_DEFAULTS } from '../../src/client/client-options.js'
import { FAULT_DEFAULTS } from '../../src/collector/faults.js'
import { COLLECTOR_DEFAULTS } from '../../src/collector/options.js'
import { BATCH_FLUSH_DEFAULTS } from '../../src/consumers/batch-consumer.js'
import { BATCH_DEFAULTS } from '../../src/consumers/batch-options.js'
import { BUFFERED_DEFAULTS } from '../../src/consumers/buffered-consumer.js'
import { CLOSE_ON_SIGNALS_DEFAULTS } from '../../src/consumers/close-on-signals.js'
import { CLOSE_DEFAULTS } from '../../src/consumers/consumer.js'
import { DELIVERY_DEFAULTS } from '../../src/consumers/delivery-options.js'
import { CONSUMER_DEFAULTS } from '../../src/consumers/direct-consumer.js'
import { ENGINE_DEFAULTS } from '../../src/consumers/engine-settings.js'
import { HTTP_DESTINATION_DEFAULTS } from '../../src/destinations/http/http-destination.js'
import { MIXPANEL_DESTINATION_DEFAULTS } from '../../src/destinations/mixpanel/mixpanel-destination.js'
import { SNOWPLOW_DESTINATION_DEFAULTS } from '../../src/destinations/snowplow/snowplow-destination.js'
import { EXPOSURE_DEFAULTS } from '../../src/flags/exposure-options.js'
import { FLAGS_CONNECTION_DEFAULTS } from '../../src/flags/flags-http.js'
import { LOCAL_FLAGS_DEFAULTS } from '../../src/flags/local-flags-options.js'
import { REMOTE_FLAGS_DEFAULTS } from '../../src/flags/remote-flags-provider.js'
import { RETRY_DEFAULTS } from '../../src/internal/retry-policy.js'
import { MIXPANEL_PROVIDER_DEFAULTS } from '../../src/openfeature/mixpanel-provider.js'
import { EMITTER_DEFAULTS } from '../../src/snowplow/emitter.js'
import { TRACKER_DEFAULTS } from '../../src/snowplow/tracker.js'
import { STORE_DEFAULTS } from '../../src/stores/event-store.js'
import { REDIS_STORE_DEFAULTS } from '../../src/stores/redis-options.js'
import { SQLITE_STORE_DEFAULTS } from '../../src/stores/sqlite-options.js'
import { FAKE_CLOCK_DEFAULTS } from '../../src/testing/fake-clock.js'
import { MEMORY_TRANSPORT_DEFAULTS } from '../../src/testing/memory-transport.js'
import { STORE_CONTRACT_DEFAULTS } from '../../src/testing/store-contract.js'
import { TRANSPORT_DEFAULTS } from '../../src/transport/transport-options.js'
import { WORKER_DEFAULTS } from '../../src/worker/run-worker.js'
import { type DocumentedDefault, PROSE, parseDefault, publicOptionsInterfaces } from './tsdoc-defaults.js'

/** The one defaults object of each public options interface that documents a default value. */
const DEFAULTS_OF: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  AppApiConnectionOptions: APP_API_CONNECTION_DEFAULTS,
  BatchConsumerOptions: BATCH_DEFAULTS,
  BatchFlushOptions: BATCH_FLUSH_DEFAULTS,
  BufferedConsumerOptions: BUFFERED_DEFAULTS,
  BulkOptions: BULK_DEFAULTS,
  CloseOnSignalsOptions: CLOSE_ON_SIGNALS_DEFAULTS,
  CloseOptions: CLOSE_DEFAULTS,
  CollectorOptions: COLLECTOR_DEFAULTS,
  ConsumerOptions: CONSUMER_DEFAULTS,
  DeliveryOptions: DELIVERY_DEFAULTS,
  EmitterOptions: EMITTER_DEFAULTS,
  EngineOptions: ENGINE_DEFAULTS,
  ExposureOptions: EXPOSURE_DEFAULTS,
  FakeClockOptions: FAKE_CLOCK_DEFAULTS,
  FaultOptions: FAULT_DEFAULTS,
  FlagsConnectionOptions: FLAGS_CONNECTION_DEFAULTS,
  GdprClientOptions: GDPR_CLIENT_DEFAULTS,
  HttpDestinationOptions: HTTP_DESTINATION_DEFAULTS,
  ImportFileOptions: IMPORT_FILE_DEFAULTS,
  LocalFlagsOptions: LOCAL_FLAGS_DEFAULTS,
  MemoryTransportOptions: MEMORY_TRANSPORT_DEFAULTS,
  MixpanelDestinationOptions: MIXPANEL_DESTINATION_DEFAULTS,
  MixpanelOptions: MIXPANEL_DEFAULTS,
  MixpanelProviderOptions: MIXPANEL_PROVIDER_DEFAULTS,
  RedisEventStoreOptions: REDIS_STORE_DEFAULTS,
  RemoteFlagsOptions: REMOTE_FLAGS_DEFAULTS,
  RetryOptions: RETRY_DEFAULTS,
  SnowplowDestinationOptions: SNOWPLOW_DESTINATION_DEFAULTS,
  SqliteEventStoreOptions: SQLITE_STORE_DEFAULTS,
  StoreCapacityOptions: STORE_DEFAULTS,
  StoreContractOptions: STORE_CONTRACT_DEFAULTS,
  TrackerOptions: TRACKER_DEFAULTS,
  TransportOptions: TRANSPORT_DEFAULTS,
  WorkerOptions: WORKER_DEFAULTS,
}

/**
 * Interfaces whose defaults are still written where they are used; their modules are being
 * reorganised (the App-API clients, the bulk tools). Remove an entry once it has a `*_DEFAULTS`
 * object above.
 */
const NOT_YET_TIED: readonly string[] = [
  'CleanupOptions',
  'DeprecateEventsOptions',
  'LexiconExportOptions',
  'LexiconImportOptions',
  'LexiconOptions',
  'PushOptions',
  'ReadIdsOptions',
  'SyncProfilesOptions',
]

/** Injected dependencies (STYLE.md: config is separate from them): their default is described, not a value. */
const INJECTED = new Set(['clock', 'random', 'logger', 'process'])

/**
 * `@default` tags that describe a default the code derives or picks (prose, or a value that holds
 * only in some cases); each says why.
 */
const DESCRIBED: Readonly<Record<string, string>> = {
  'MixpanelDestinationOptions.apiHost': "the region's host",
  'FlagsConnectionOptions.apiHost': "the region's host",
  'WorkerOptions.apiHost': "the region's host",
  'BatchConsumerOptions.byteLimit': "the destination's own request limit",
  'BatchConsumerOptions.store': 'a new memory store built from the capacity options',
  'CollectorOptions.tlsDir': 'a folder beside the database file',
  'CollectorOptions.flagsEvaluator': "eventwire's evaluator, when it can be loaded",
  'CollectorOptions.uiDir': 'the folder beside the module',
  'DestinationContractOptions.kinds': 'every kind the destination takes',
  'DestinationContractOptions.message': 'a sample message per kind',
  'EmitterOptions.batchSize': 'depends on `method`: EMITTER_DEFAULTS.getBatchSize and postBatchSize',
  'EmitterOptions.store': 'a new memory store',
  'MemoryTransportOptions.handler': 'every request succeeds',
  'EngineOptions.meterProvider': 'the global MeterProvider of @opentelemetry/api, when installed',
  'ImportFileOptions.format': 'detected from the file',
  'ImportFileOptions.mapping': 'Mixpanel-shaped or flat rows, detected',
  'ImportFileOptions.csvDelimiter': "',', or a tab for .tsv files",
  'ImportFileOptions.checkpoint': 'a file named after the input',
  'ImportFileOptions.failedPath': 'a file named after the input',
  'MixpanelOptions.consumer': 'a new Consumer built from the delivery options',
  'PlanEnforcerOptions.policy': 'chosen by environment (defaultPolicy())',
  'PlanEnforcerOptions.env': 'process.env.NODE_ENV',
  'PlanGateOptions.planPolicy': 'chosen by NODE_ENV',
  'RedisEventStoreOptions.consumer': 'host, pid and a random part',
  'RedisEventStoreOptions.leaseTimeoutMs': "each lease() call's leaseMs",
  'SqliteEventStoreOptions.driver': 'node:sqlite where the runtime has it, else better-sqlite3',
}

/** Every `@default` of the public options interfaces, with the interface's declared properties. */
function documented(): {
  defaults: DocumentedDefault[]
  interfaces: ReturnType<typeof publicOptionsInterfaces>
} {
  const interfaces = publicOptionsInterfaces()
  return { defaults: [...interfaces.values()].flatMap((i) => i.defaults), interfaces }
}

test('every @default of a public options interface is the value of its *_DEFAULTS object', () => {
  const { defaults, interfaces } = documented()
  const problems: string[] = []
  for (const d of defaults) {
    if (NOT_YET_TIED.includes(d.iface) || DESCRIBED[d.key] !== undefined) continue
    const value = parseDefault(d.text)
    if (value === PROSE) {
      if (!INJECTED.has(d.property)) {
        problems.push(
          `${d.key} (${d.file}): "@default ${d.text}" is not a value; write one, or list it in DESCRIBED`,
        )
      }
      continue
    }
    const object = DEFAULTS_OF[d.iface]
    if (object === undefined) {
      problems.push(`${d.key} (${d.file}): ${d.iface} has no *_DEFAULTS object in DEFAULTS_OF`)
      continue
    }
    if (!(d.property in object)) {
      problems.push(`${d.key} (${d.file}): @default ${d.text}, but the defaults object has no ${d.property}`)
      continue
    }
    try {
      assert.deepStrictEqual(object[d.property], value)
    } catch {
      problems.push(
        `${d.key} (${d.file}): @default ${d.text}, but the defaults object says ${JSON.stringify(object[d.property])}`,
      )
    }
  }
  // The other way: an option that has a default value must say so in its TSDoc.
  for (const [name, object] of Object.entries(DEFAULTS_OF)) {
    const iface = interfaces.get(name)
    if (iface === undefined) {
      problems.push(`DEFAULTS_OF names ${name}, which is not a public options interface`)
      continue
    }
    for (const property of Object.keys(object)) {
      if (!iface.properties.includes(property)) continue
      if (!iface.defaults.some((d) => d.property === property)) {
        problems.push(
          `${name}.${property} (${iface.file}): has a default (${JSON.stringify(object[property])}) but no @default`,
        )
      }
    }
  }
  for (const key of Object.keys(DESCRIBED)) {
    if (!defaults.some((d) => d.key === key)) problems.push(`DESCRIBED lists ${key}, which has no @default`)
  }
  for (const name of NOT_YET_TIED) {
    if (DEFAULTS_OF[name] !== undefined || !interfaces.has(name))
      problems.push(`NOT_YET_TIED lists ${name}: remove it`)
  }
  assert.equal(problems.length, 0, `\n  ${problems.join('\n  ')}`)
})

test('@default tags are read as values or as prose', () => {
  assert.equal(parseDefault('10000'), 10_000)
  assert.equal(parseDefault('1_700_000_000_000'), 1_700_000_000_000)
  assert.equal(parseDefault('0.25'), 0.25)
  assert.equal(parseDefault('67108864 (64 MiB)'), 67_108_864)
  assert.equal(parseDefault("'drop-newest'"), 'drop-newest')
  assert.equal(parseDefault("'distinct_id' (or the only CSV column)"), 'distinct_id')
  assert.equal(parseDefault('true'), true)
  assert.equal(parseDefault('false'), false)
  assert.deepEqual(parseDefault("['SIGTERM', 'SIGINT']"), ['SIGTERM', 'SIGINT'])
  assert.deepEqual(parseDefault('{ retryLimit: 5, retryBackoffFactor: 2 }'), {
    retryLimit: 5,
    retryBackoffFactor: 2,
  })
  for (const prose of [
    'systemClock',
    'Math.random',
    'in memory',
    '1 for GET, 10 for POST',
    "the destination's `x`",
  ]) {
    assert.equal(parseDefault(prose), PROSE, prose)
  }
})
