/**
 * eventwire's promise with default options, tried the way services call it: bursts of
 * fire-and-forget calls, scripts that await one call and end, un-awaited bad calls, scripts that
 * end without close(). Scripts run as real child processes against loopback receivers.
 */
import assert from 'node:assert/strict'
import { afterEach, describe, test } from 'node:test'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer } from '../../src/consumers/index.js'
import type { JsonObject } from '../../src/message/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'
import { closedOrigin, flagsBody, runScenario } from './helpers.js'

afterEach(cleanup)

/** Fires `events` tracks and `profiles` people.set() calls in chunks of 200, a turn of the event loop between chunks. */
async function burst(mp: Mixpanel, events: number, profiles: number): Promise<void> {
  const every = Math.floor(events / profiles)
  for (let i = 0; i < events; i++) {
    void mp.track(`user-${i % 1000}`, 'Burst event', { i, plan: 'pro', amount: i * 1.5 })
    if (i % every === 0 && i / every < profiles) void mp.people.set(`user-${i / every}`, { seen: i })
    if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('defaults: a fire-and-forget burst loses nothing', () => {
  test('BatchConsumer defaults: 30,000 events + 300 people.set() in chunks, then close(): all delivered', async () => {
    const receiver = await startReceiver()
    const consumer = new BatchConsumer({ apiHost: receiver.origin })
    const mp = new Mixpanel('burst-token', { consumer })
    await burst(mp, 30_000, 300)
    const result = await mp.close()
    assert.deepEqual(result, { sent: 30_300, failed: 0, dropped: 0, pending: 0 })
    assert.equal(receiver.uniqueInsertIds().size, 30_000)
    assert.equal(receiver.delivered('/engage').length, 300)
    const stats = consumer.stats()
    assert.equal(stats.accepted, 30_300)
  })

  test('the default client (no consumer option): 30,000 events + 300 people.set(), then close(): all delivered', async () => {
    const receiver = await startReceiver()
    const mp = new Mixpanel('burst-token', { apiHost: receiver.origin })
    await burst(mp, 30_000, 300)
    const result = await mp.close()
    assert.deepEqual(result, { sent: 30_300, failed: 0, dropped: 0, pending: 0 })
    assert.equal(receiver.uniqueInsertIds().size, 30_000)
    assert.equal(receiver.delivered('/engage').length, 300)
  })
})

describe('defaults: awaited work keeps the process alive until it settles', () => {
  test('await mp.track() against 503, 503, then 200: resolves and the next line runs', async () => {
    const receiver = await startReceiver((_req, index) =>
      index < 2 ? { status: 503, body: 'busy' } : undefined,
    )
    const run = await runScenario('awaited-track', receiver.origin)
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ outcome: 'resolved' }, { last: true }])
    assert.equal(receiver.delivered('/track').length, 1)
  })

  test('await mp.track() against a closed port: rejects with a network error the script catches', async () => {
    const run = await runScenario('awaited-track', await closedOrigin())
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ outcome: 'rejected', code: 'EVENTWIRE_NETWORK_ERROR' }, { last: true }])
  })

  test('await bufferedConsumer.flush() against 503 then 200: resolves and the next line runs', async () => {
    const receiver = await startReceiver((_req, index) =>
      index < 1 ? { status: 503, body: 'busy' } : undefined,
    )
    const run = await runScenario('buffered-flush', receiver.origin)
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ outcome: 'resolved' }, { last: true }])
    assert.equal(receiver.delivered('/track').length, 1)
  })

  test('await remoteFlags.getVariant() against 503 then 200: resolves with the served value', async () => {
    const receiver = await startReceiver((_req, index) =>
      index < 1 ? { status: 503, body: 'busy' } : { status: 200, body: flagsBody('remote-flag', 'served') },
    )
    const run = await runScenario('remote-flag', receiver.origin)
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ outcome: 'resolved', value: 'served' }, { last: true }])
  })

  test('await localFlags.ready() against 503 then definitions: resolves, and the flag evaluates', async () => {
    const definitions = {
      flags: [
        {
          id: 'id-local',
          name: 'local-flag',
          key: 'local-flag',
          status: 'enabled',
          project_id: 1,
          context: 'distinct_id',
          experiment_id: 'exp',
          is_experiment_active: false,
          hash_salt: 'salt',
          ruleset: {
            variants: [{ key: 'on', value: 'served', is_control: false, split: 1 }],
            rollout: [{ rollout_percentage: 1 }],
          },
        },
      ],
    }
    const receiver = await startReceiver((_req, index) =>
      index < 1 ? { status: 503, body: 'busy' } : { status: 200, body: definitions },
    )
    const run = await runScenario('local-ready', receiver.origin)
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ outcome: 'resolved', value: 'served' }, { last: true }])
  })
})

describe('defaults: nothing an analytics call does crashes the process', () => {
  test('an un-awaited call with a function as a property: the process lives and the next event is delivered', async () => {
    const receiver = await startReceiver()
    const run = await runScenario('unawaited-invalid', receiver.origin)
    assert.equal(run.code, 0)
    assert.deepEqual(run.lines, [{ last: true }])
    const names = receiver.delivered('/track').map((record) => record.event)
    assert.deepEqual(names, ['Next event'])
    assert.match(run.stderr, /eventwire/)
    assert.match(run.stderr, /handler/)
  })
})

describe('defaults: a script that ends without close() delivers what it accepted', () => {
  test('BatchConsumer, 30 un-awaited tracks (less than a batch), no flush or close: all arrive before the process exits', async () => {
    const receiver = await startReceiver()
    const run = await runScenario('no-close', receiver.origin, '30')
    assert.equal(run.code, 0)
    const ids = new Set(receiver.delivered('/track').map((r) => (r.properties as JsonObject).i))
    assert.equal(ids.size, 30)
  })

  test('against a receiver that is down, the script still exits and says how many were left', async () => {
    const run = await runScenario('no-close', await closedOrigin(), '10', '1500')
    assert.equal(run.code, 0)
    assert.match(run.stderr, /eventwire.*10 message\(s\).*not delivered/)
  })
})
