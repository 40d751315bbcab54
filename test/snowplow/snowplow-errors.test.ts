// Snowplow delivery failures are DeliveryErrors naming the Snowplow destination, never
// MixpanelErrors, whichever consumer carries them; only Mixpanel's own destination makes
// MixpanelErrors, whatever another destination is called.
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { BufferedConsumer, Consumer, DeliveryError, http, MixpanelError } from '../../src/index.js'
import { createMessage } from '../../src/message/index.js'
import { Emitter, snowplow, Tracker } from '../../src/snowplow/index.js'
import { startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

function message(id: string) {
  return { e: 'se', se_ca: 'shop', se_ac: 'view', eid: id }
}

/** A Snowplow delivery error: a DeliveryError, not a MixpanelError, naming the destination. */
function assertSnowplowError(error: unknown, pattern: RegExp): void {
  assert.ok(error instanceof DeliveryError, `expected a DeliveryError, got ${String(error)}`)
  assert.ok(
    !(error instanceof MixpanelError),
    `a Snowplow failure must not be a MixpanelError: ${error.message}`,
  )
  assert.equal(error.endpoint, 'events')
  assert.match(error.message, /^snowplow events: /)
  assert.match(error.message, pattern)
}

describe('Snowplow failures are DeliveryErrors naming the destination', () => {
  let collector: TestReceiver
  let status = 400
  before(async () => {
    collector = await startTestReceiver(() => ({ status, body: 'no' }))
  })
  beforeEach(() => collector.reset())
  after(() => collector.close())

  const destination = () => snowplow({ endpoint: collector.origin })

  test('Consumer: a refused request (400) and retries run out (503)', async () => {
    const consumer = new Consumer({ destination: destination(), retryLimit: 0, logger: false })
    try {
      status = 400
      const refused = await consumer
        .send('events', createMessage('events', 'a-1', message('a-1'), Date.now()))
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assertSnowplowError(refused, /1 rejected: Snowplow collector answered 400/)
      assert.equal((refused as DeliveryError).status, 400)
      assert.equal((refused as DeliveryError).rejected.length, 1)

      status = 503
      const failures: Error[] = []
      consumer.on('failure', ({ error }) => failures.push(error))
      const undelivered = await consumer
        .send('events', createMessage('events', 'a-2', message('a-2'), Date.now()))
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assertSnowplowError(undelivered, /1 undelivered: Snowplow collector answered 503/)
      assert.equal((undelivered as DeliveryError).messages.length, 1)
      assert.equal(failures.length, 1)
      assertSnowplowError(
        failures[0],
        /not delivered within their retry budget: Snowplow collector answered 503/,
      )
    } finally {
      await consumer.close()
    }
  })

  test('BufferedConsumer: flush rejects with the destination named', async () => {
    status = 400
    const consumer = new BufferedConsumer({ destination: destination(), retryLimit: 0, logger: false })
    try {
      await consumer.send('events', createMessage('events', 'b-1', message('b-1'), Date.now()))
      const error = await consumer.flush().then(
        () => undefined,
        (e: unknown) => e,
      )
      assertSnowplowError(error, /rejected: Snowplow collector answered 400/)
    } finally {
      await consumer.close()
    }
  })

  test('Emitter: the failure notification when retries run out', async () => {
    status = 503
    const unsent: unknown[] = []
    const emitter = new Emitter({
      endpoint: collector.origin,
      flushIntervalMs: 0,
      maxRetryDelayMs: 0,
      logger: false,
      onFailure: (_sent, payloads) => unsent.push(...payloads),
    })
    const failures: Error[] = []
    emitter.on('failure', ({ error }) => failures.push(error))
    try {
      await new Tracker({ namespace: 'ns', emitters: emitter }).trackStructEvent({
        category: 'shop',
        action: 'view',
      })
      await emitter.flush()
      assert.equal(failures.length, 1)
      assertSnowplowError(
        failures[0],
        /not delivered within their retry budget: Snowplow collector answered 503/,
      )
      assert.equal(unsent.length, 1)
    } finally {
      await emitter.close()
    }
  })

  test('a network failure: nothing answers', async () => {
    const gone = await startTestReceiver()
    const origin = gone.origin
    await gone.close()
    const consumer = new Consumer({
      destination: snowplow({ endpoint: origin }),
      retryLimit: 0,
      logger: false,
    })
    try {
      const error = await consumer
        .send('events', createMessage('events', 'c-1', message('c-1'), Date.now()))
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assertSnowplowError(
        error,
        /1 undelivered: POST http:\/\/127\.0\.0\.1:\d+\/com\.snowplowanalytics\.snowplow\/tp2/,
      )
      assert.equal((error as DeliveryError).code, 'EVENTWIRE_NETWORK_ERROR')
    } finally {
      await consumer.close()
    }
  })
})

test('a destination called "mixpanel" that is not Mixpanel makes DeliveryErrors', async () => {
  const receiver = await startTestReceiver(() => ({ status: 400, body: 'no' }))
  const consumer = new Consumer({
    destination: http({ url: `${receiver.origin}/ingest`, name: 'mixpanel' }),
    retryLimit: 0,
    logger: false,
  })
  try {
    const error = await consumer
      .send('events', createMessage('events', 'd-1', { event: 'E', properties: {} }, Date.now()))
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    assert.ok(error instanceof DeliveryError, String(error))
    assert.ok(!(error instanceof MixpanelError), 'the class follows the destination, not its name')
    assert.match(error.message, /^mixpanel events: 1 rejected/)
  } finally {
    await consumer.close()
    await receiver.close()
  }
})
