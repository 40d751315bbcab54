import { createRequire } from 'node:module'
import { LIB_VERSION } from '../internal/index.js'
import type { DropReason, Endpoint } from '../message/index.js'

/** The parts of an OpenTelemetry `MeterProvider` eventwire uses (`@opentelemetry/api`'s fits). */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike
}

/** The parts of an OpenTelemetry `Meter` eventwire uses. */
export interface MeterLike {
  createCounter(
    name: string,
    options?: InstrumentOptions,
  ): { add(value: number, attributes?: Attributes): void }
  createHistogram(
    name: string,
    options?: InstrumentOptions,
  ): { record(value: number, attributes?: Attributes): void }
  createObservableGauge(
    name: string,
    options?: InstrumentOptions,
  ): { addCallback(callback: (result: ObservableResult) => void): void }
}

type Attributes = Record<string, string | number>
interface ObservableResult {
  observe(value: number, attributes?: Attributes): void
}
interface InstrumentOptions {
  description?: string
  unit?: string
}

/** What a delivery engine tells its metrics. */
export interface EngineMetrics {
  sent(count: number, endpoint: Endpoint): void
  dropped(count: number, endpoint: Endpoint, reason: DropReason): void
  retried(count: number, endpoint: Endpoint): void
  failed(count: number, endpoint: Endpoint): void
  /** One request's duration, from sending to the end of the answer (or its failure). */
  requestDuration(seconds: number, endpoint: Endpoint): void
}

const NOOP = () => {}

/** Metrics that record nothing (no provider, or `meterProvider: false`). */
export const NO_METRICS: EngineMetrics = {
  sent: NOOP,
  dropped: NOOP,
  retried: NOOP,
  failed: NOOP,
  requestDuration: NOOP,
}

/**
 * The engine's OpenTelemetry instruments (see docs/observability.md), on `provider`, or — when
 * none is given — on the global MeterProvider of `@opentelemetry/api` (register yours before the
 * consumer is built) if that optional package is installed. Without either, or with `false`,
 * nothing is recorded and nothing costs anything.
 * `depth` is read when the queue-depth gauge is observed.
 */
export function createMetrics(
  provider: MeterProviderLike | false | undefined,
  destination: string,
  depth: () => number,
): EngineMetrics {
  const meterProvider = provider === undefined ? globalMeterProvider() : provider || undefined
  if (meterProvider === undefined) return NO_METRICS
  const meter = meterProvider.getMeter('eventwire', LIB_VERSION)
  const messages = { unit: '{message}' }
  const sent = meter.createCounter('eventwire.messages.sent', {
    ...messages,
    description: 'Messages delivered',
  })
  const dropped = meter.createCounter('eventwire.messages.dropped', {
    ...messages,
    description: 'Messages dropped for good, by reason',
  })
  const retried = meter.createCounter('eventwire.messages.retried', {
    ...messages,
    description: 'Message retries scheduled',
  })
  const failed = meter.createCounter('eventwire.messages.failed', {
    ...messages,
    description: 'Messages whose retries ran out',
  })
  const duration = meter.createHistogram('eventwire.request.duration', {
    unit: 's',
    description: 'Duration of delivery requests',
  })
  meter
    .createObservableGauge('eventwire.queue.depth', {
      ...messages,
      description: 'Messages accepted and not yet delivered or dropped',
    })
    .addCallback((result) => result.observe(depth(), { destination }))
  return {
    sent: (count, endpoint) => sent.add(count, { destination, endpoint }),
    dropped: (count, endpoint, reason) => dropped.add(count, { destination, endpoint, reason }),
    retried: (count, endpoint) => retried.add(count, { destination, endpoint }),
    failed: (count, endpoint) => failed.add(count, { destination, endpoint }),
    requestDuration: (seconds, endpoint) => duration.record(seconds, { destination, endpoint }),
  }
}

interface OtelApi {
  metrics?: { getMeterProvider(): MeterProviderLike }
}

/** `@opentelemetry/api`, or null when it is not installed (looked for once). */
let otelApi: OtelApi | null | undefined

/**
 * Where every copy of `@opentelemetry/api` 1.x keeps what was registered globally, so that copies
 * in different packages share one MeterProvider.
 */
const OTEL_GLOBALS = Symbol.for('opentelemetry.js.api.1')

/** The global MeterProvider of `@opentelemetry/api` now, if the package is installed. */
function globalMeterProvider(): MeterProviderLike | undefined {
  // With no MeterProvider registered, the package would hand out its no-op one: it is not even
  // loaded then, so a process that does not use OpenTelemetry pays nothing for it.
  const registered = (globalThis as { [OTEL_GLOBALS]?: { metrics?: unknown } })[OTEL_GLOBALS]
  if (registered?.metrics === undefined) return undefined
  if (otelApi === undefined) {
    try {
      otelApi = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi
    } catch {
      otelApi = null
    }
  }
  return otelApi?.metrics?.getMeterProvider()
}
