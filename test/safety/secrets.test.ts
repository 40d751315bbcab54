/**
 * No secret in any output. Known secrets (a service account, a GDPR token, an API secret, a Redis
 * password) go through every failure path — 401 and 400 answers echoing the Authorization header,
 * `failed_records` echoing it, a 2xx reporting a failure, a reset connection, a timeout, a refused
 * TLS certificate — for the client, every consumer, the flags providers, the App-API clients, the
 * worker and the collector. Everything they hand back is searched: log lines, events, callbacks,
 * rejections as `util.inspect` and `JSON.stringify` show them, and their cause chains.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { GdprClient } from '../../src/bulk/index.js'
import { Mixpanel } from '../../src/client/index.js'
import { startCollector } from '../../src/collector/index.js'
import type { EngineEmitter } from '../../src/consumers/index.js'
import {
  BatchConsumer,
  BufferedConsumer,
  Consumer,
  type DeliveryOptions,
  type EventConsumer,
  FanoutConsumer,
} from '../../src/consumers/index.js'
import { LocalFlagsProvider, RemoteFlagsProvider } from '../../src/flags/index.js'
import { pullPlan } from '../../src/plan/index.js'
import { EnqueueConsumer, RedisEventStore, runWorker } from '../../src/redis/index.js'
import { createFakeClock } from '../../src/testing/index.js'
import { cleanup, onCleanup } from '../batch/helpers.js'
import { startRedis } from '../stores/redis-server.js'
import { runFixture } from './helpers.js'
import {
  ACCOUNT,
  API_SECRET,
  Capture,
  FAILURE_PATHS,
  GDPR_TOKEN,
  originFor,
  REDIS_PASSWORD,
} from './secret-capture.js'

afterEach(cleanup)

/** Fast failure: no retries, short deadlines. */
const FAST = { retryLimit: 0, requestTimeoutMs: 300, connectTimeoutMs: 300 } as const

type Subject = (origin: string, capture: Capture) => Promise<void>

/** Puts a consumer through an import (authenticated with the service account), a flush and a close. */
async function drive(
  consumer: EventConsumer & Partial<Pick<EngineEmitter, 'on'>>,
  capture: Capture,
): Promise<void> {
  for (const event of ['request', 'success', 'retry', 'drop', 'failure'] as const) {
    consumer.on?.(event, capture.listener(event))
  }
  const mp = new Mixpanel('project-token', { consumer, logger: capture.logger })
  await mp.import('user-1', 'Imported', Date.now(), { n: 1 }).catch((error) => capture.add(error))
  await mp
    .importBatch([{ event: 'Batch', properties: { distinct_id: 'user-2', time: Date.now() } }])
    .catch((error) => capture.add(error))
  await mp.track('user-3', 'Tracked').catch((error) => capture.add(error))
  await mp.flush().catch((error) => capture.add(error))
  capture.add(await mp.close({ timeoutMs: 1000 }))
}

function delivery(origin: string, capture: Capture): DeliveryOptions & Record<string, unknown> {
  return {
    ...FAST,
    apiHost: origin,
    serviceAccount: ACCOUNT,
    logger: capture.logger,
    onFailure: (error: unknown, messages: unknown) => capture.add('onFailure', error, messages),
    onDrop: (messages: unknown, reason: unknown) => capture.add('onDrop', messages, reason),
  }
}

const SUBJECTS: ReadonlyArray<readonly [string, Subject]> = [
  [
    'Mixpanel with its default Consumer',
    async (origin, capture) => {
      const mp = new Mixpanel('project-token', {
        ...FAST,
        apiHost: origin,
        serviceAccount: ACCOUNT,
        logger: capture.logger,
      })
      for (const event of ['request', 'retry', 'drop', 'failure'] as const) {
        ;(mp.consumer as Consumer).on(event, capture.listener(event))
      }
      await mp.import('user-1', 'Imported', Date.now(), { n: 1 }).catch((error) => capture.add(error))
      await mp.track('user-2', 'Tracked').catch((error) => capture.add(error))
      capture.add(await mp.close({ timeoutMs: 1000 }))
    },
  ],
  ['Consumer', (origin, capture) => drive(new Consumer(delivery(origin, capture)), capture)],
  [
    'BufferedConsumer',
    (origin, capture) =>
      drive(new BufferedConsumer({ ...delivery(origin, capture), retryLimit: 0 }), capture),
  ],
  ['BatchConsumer', (origin, capture) => drive(new BatchConsumer(delivery(origin, capture)), capture)],
  [
    'FanoutConsumer',
    (origin, capture) =>
      drive(
        new FanoutConsumer([
          new BatchConsumer(delivery(origin, capture)),
          new Consumer(delivery(origin, capture)),
        ]),
        capture,
      ),
  ],
  [
    'LocalFlagsProvider and RemoteFlagsProvider with a service account',
    async (origin, capture) => {
      const options = {
        token: 'project-token',
        apiHost: origin,
        serviceAccount: ACCOUNT,
        logger: capture.logger,
      }
      const local = new LocalFlagsProvider({ ...options, readyTimeoutMs: 1500, requestTimeoutMs: 300 })
      local.on('error', capture.listener('error'))
      await local.ready().catch((error) => capture.add(error))
      await local.shutdown()
      const remote = new RemoteFlagsProvider({ ...options, retryLimit: 0, requestTimeoutMs: 300 })
      capture.add(await remote.getVariant('flag', 'fallback', { distinct_id: 'u' }))
      await remote.shutdown()
    },
  ],
  [
    'GdprClient and pullPlan (App APIs)',
    async (origin, capture) => {
      const clock = createFakeClock({ autoAdvanceSleeps: true })
      const gdpr = new GdprClient({
        token: 'project-token',
        gdprToken: GDPR_TOKEN,
        apiHost: origin,
        clock,
        retry: { retryLimit: 0 },
        logger: capture.logger,
      })
      await gdpr.createDeletion(['u']).catch((error) => capture.add(error))
      await gdpr.close()
      await pullPlan({
        projectId: 1,
        serviceAccount: ACCOUNT,
        apiHost: origin,
        clock,
        retry: { retryLimit: 0 },
        logger: capture.logger,
      }).catch((error) => capture.add(error))
    },
  ],
]

describe('no secret in any output of the library', () => {
  for (const [subject, run] of SUBJECTS) {
    for (const path of FAILURE_PATHS) {
      test(`${subject}: ${path.name}`, async () => {
        const capture = new Capture()
        await run(await originFor(path.handler), capture)
        capture.assertClean(`${subject}, ${path.name}`)
        if (path.echoes) {
          assert.ok(
            capture.texts.some((text) => text.includes('[redacted]')),
            `${subject}, ${path.name}: the echoed credentials should show as [redacted]`,
          )
        }
      })
    }
  }

  test('a URL option with credentials is refused without repeating them', () => {
    const capture = new Capture()
    for (const url of [`https://${ACCOUNT.username}:${ACCOUNT.secret}@api.example.com/import`]) {
      try {
        new Consumer({ importUrl: url })
        assert.fail('accepted')
      } catch (error) {
        capture.add(error)
      }
    }
    capture.assertClean('importUrl with credentials')
  })

  test('the default stderr logger, in a real process: an echoed header is redacted', async () => {
    const origin = await originFor(FAILURE_PATHS[0]!.handler)
    const run = await runFixture('loud.ts', ['secret-echo', 'default', origin])
    assert.equal(run.code, 0, run.stderr)
    assert.match(
      run.stderr,
      /eventwire: messages dropped \(rejected\).*Invalid credentials: Basic \[redacted\]/,
    )
    const capture = new Capture()
    capture.add(run.stderr)
    capture.assertClean('stderr')
  })
})

describe('no secret in any output of the worker', () => {
  test('a password-protected Redis, a service account, and a receiver echoing the header', async () => {
    const redis = await startRedis({ args: ['--requirepass', REDIS_PASSWORD], auth: `:${REDIS_PASSWORD}@` })
    onCleanup(() => redis.stop())
    for (const path of FAILURE_PATHS) {
      const origin = await originFor(path.handler)
      const capture = new Capture()
      const stream = `secrets-${FAILURE_PATHS.indexOf(path)}`
      const store = await RedisEventStore.open({ redis: redis.url, stream, logger: capture.logger })
      const mp = new Mixpanel('project-token', {
        consumer: new EnqueueConsumer(store, { logger: capture.logger }),
      })
      await mp.import('user-1', 'Queued import', Date.now())
      const controller = new AbortController()
      const running = runWorker({
        redis: redis.url,
        stream,
        token: 'project-token',
        apiHost: origin,
        serviceAccount: ACCOUNT,
        progressIntervalMs: 100,
        shutdownTimeoutMs: 200,
        delivery: { ...FAST, retryBudgetMs: 1 },
        signal: controller.signal,
        logger: capture.logger,
      })
      await new Promise((resolve) => setTimeout(resolve, 1200))
      controller.abort()
      capture.add(await running)
      await store.close()
      capture.assertClean(`worker, ${path.name}`)
      if (path.echoes)
        assert.ok(
          capture.texts.some((text) => text.includes('Basic [redacted]')),
          path.name,
        )
    }
    // Redis unreachable, and Redis refusing the password: the errors name the server, not the password.
    const capture = new Capture()
    for (const url of [
      `redis://:${REDIS_PASSWORD}@127.0.0.1:1`,
      `redis://:${REDIS_PASSWORD}-wrong@127.0.0.1:${redis.port}`,
    ]) {
      await runWorker({ redis: url, stream: 's', token: 't', logger: capture.logger }).catch((error) =>
        capture.add(error),
      )
      await RedisEventStore.open({ redis: url, logger: capture.logger }).catch((error) => capture.add(error))
    }
    capture.assertClean('worker, Redis failures')
    assert.ok(capture.texts.some((text) => text.includes('redis://:[redacted]@127.0.0.1')))
  })
})

describe('no secret in any output of the collector', () => {
  test('credentials sent to /import, right and wrong, never show in what it stores, serves or logs', async () => {
    const capture = new Capture()
    const collector = await startCollector({
      db: ':memory:',
      port: 0,
      token: 'project-token',
      apiSecret: API_SECRET,
      serviceAccount: { ...ACCOUNT, projectId: 77 },
      logger: capture.logger,
    })
    onCleanup(() => collector.close())
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`
    const event = [{ event: 'E', properties: { distinct_id: 'u', time: Date.now(), $insert_id: 'abc-1' } }]
    for (const [authorization, query] of [
      [basic(`${ACCOUNT.username}:${ACCOUNT.secret}`), '?project_id=77'],
      [basic(`${ACCOUNT.username}:${ACCOUNT.secret}`), '?project_id=1'],
      [basic(`${API_SECRET}:`), ''],
      [`${ACCOUNT.username}:${ACCOUNT.secret}`, ''],
      [`Bearer ${GDPR_TOKEN}`, ''],
      [basic(`${GDPR_TOKEN}:`), ''],
    ] as const) {
      const res = await fetch(`${collector.url}/import${query}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(event),
      })
      capture.add(res.status, await res.text())
    }
    capture.add(collector.stats(), collector.events({ limit: 100 }))
    for (const item of collector.events({ limit: 100 })) {
      const request = (item as { requestId?: number }).requestId
      if (request !== undefined) capture.add(collector.request(request))
    }
    for (let id = 1; id <= 6; id++) capture.add(collector.request(id))
    for (const path of [
      '/_/events?limit=100',
      '/_/stats',
      '/_/requests/1',
      '/_/requests/4',
      '/_/requests/5',
    ]) {
      capture.add(await (await fetch(`${collector.url}${path}`)).text())
    }
    capture.assertClean('collector')
    assert.ok(
      capture.texts.some((text) => text.includes('[redacted]')),
      'expected redacted credentials',
    )
  })
})
