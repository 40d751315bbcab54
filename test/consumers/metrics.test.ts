/**
 * OpenTelemetry metrics, read back through the real `@opentelemetry/sdk-metrics` with an
 * in-memory reader: given a MeterProvider, and from the global one.
 */
import assert from 'node:assert/strict'
import { after, afterEach, test } from 'node:test'
import { metrics } from '@opentelemetry/api'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { Mixpanel } from '../../src/client/index.js'
import { BatchConsumer } from '../../src/consumers/index.js'
import { cleanup, startReceiver } from '../batch/helpers.js'

afterEach(cleanup)
after(() => metrics.disable())

/** A MeterProvider whose metrics the test collects on demand. */
function meterProvider() {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  })
  const provider = new MeterProvider({ readers: [reader] })
  /** Every data point of every metric, by metric name. */
  const read = async () => {
    const { resourceMetrics } = await reader.collect()
    const byName = new Map<string, Array<{ value: unknown; attributes: Record<string, unknown> }>>()
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        byName.set(
          metric.descriptor.name,
          metric.dataPoints.map((p) => ({ value: p.value, attributes: p.attributes })),
        )
      }
    }
    return byName
  }
  return { provider, read }
}

/** Tracks 100 events a receiver takes, then one it refuses (HTTP 400), and flushes. */
async function deliverAndRefuse(consumer: BatchConsumer, refuseFrom: () => void): Promise<void> {
  const mp = new Mixpanel('tok', { consumer })
  for (let i = 0; i < 100; i++) void mp.track('user', 'Measured', { i })
  await consumer.flush()
  refuseFrom()
  await mp.track('user', 'Refused')
  await consumer.flush()
}

const sum = (points: Array<{ value: unknown }> | undefined) =>
  (points ?? []).reduce((n, p) => n + (p.value as number), 0)

test('100 delivered and 1 refused read back as eventwire.messages.sent = 100, dropped = 1 with its reason', async () => {
  let refuse = false
  const receiver = await startReceiver(() => (refuse ? { status: 400, body: { error: 'bad' } } : undefined))
  const { provider, read } = meterProvider()
  const consumer = new BatchConsumer({
    apiHost: receiver.origin,
    batchSize: 100,
    meterProvider: provider,
    logger: false,
  })
  await deliverAndRefuse(consumer, () => {
    refuse = true
  })
  const data = await read()
  assert.equal(sum(data.get('eventwire.messages.sent')), 100)
  const dropped = data.get('eventwire.messages.dropped') ?? []
  assert.deepEqual(
    dropped.map((p) => [p.value, p.attributes.reason, p.attributes.destination]),
    [[1, 'rejected', 'mixpanel']],
  )
  const durations = data.get('eventwire.request.duration') ?? []
  assert.ok(durations.length > 0)
  const histogram = durations[0]!.value as { count: number; sum: number }
  // The 100 may leave in one request or in a few (the flush can start before all are stored);
  // every request, the refused one included, is measured once.
  assert.ok(receiver.requests.length >= 2)
  assert.equal(histogram.count, receiver.requests.length, 'every request measured')
  assert.ok(histogram.sum > 0 && histogram.sum < 10, `${histogram.sum} s in all`)
  assert.equal(sum(data.get('eventwire.queue.depth')), 0, 'nothing waits after the flush')
  await consumer.close()
  await provider.shutdown()
})

test('retries and failures are counted; the queue depth gauge reads what waits', async () => {
  const receiver = await startReceiver(() => ({ status: 503 }))
  const { provider, read } = meterProvider()
  const consumer = new BatchConsumer({
    apiHost: receiver.origin,
    meterProvider: provider,
    retryLimit: 2,
    retryBackoffFactor: 0.01,
    flushIntervalMs: 0,
    logger: false,
  })
  const mp = new Mixpanel('tok', { consumer })
  for (let i = 0; i < 3; i++) void mp.track('user', 'Failing')
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(sum((await read()).get('eventwire.queue.depth')), 3)
  await consumer.flush()
  const data = await read()
  assert.equal(sum(data.get('eventwire.messages.retried')), 6)
  assert.equal(sum(data.get('eventwire.messages.failed')), 3)
  assert.equal(sum(data.get('eventwire.messages.sent')), 0)
  await consumer.close()
  await provider.shutdown()
})

test('without meterProvider, the global MeterProvider of @opentelemetry/api is used; false turns metrics off', async () => {
  const receiver = await startReceiver()
  const { provider, read } = meterProvider()
  metrics.setGlobalMeterProvider(provider)
  const measured = new BatchConsumer({ apiHost: receiver.origin, flushIntervalMs: 0 })
  const silent = new BatchConsumer({ apiHost: receiver.origin, flushIntervalMs: 0, meterProvider: false })
  await new Mixpanel('tok', { consumer: measured }).track('user', 'Global')
  await new Mixpanel('tok', { consumer: silent }).track('user', 'Not measured')
  await measured.flush()
  await silent.flush()
  assert.equal(sum((await read()).get('eventwire.messages.sent')), 1)
  assert.equal(receiver.delivered('/track').length, 2)
  await measured.close()
  await silent.close()
  await provider.shutdown()
})
