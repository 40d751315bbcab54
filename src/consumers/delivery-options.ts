import type { Dispatcher } from 'undici'
import {
  type Destination,
  MIXPANEL_DESTINATION_OPTIONS,
  MixpanelDestination,
  type MixpanelDestinationOptions,
} from '../destinations/index.js'
import { ConfigError } from '../errors/index.js'
import {
  type Clock,
  type Logger,
  type LoggerOption,
  optionList,
  pickOptions,
  RETRY_OPTIONS,
  type RetryOptions,
  RetryPolicy,
  resolveLogger,
  systemClock,
} from '../internal/index.js'
import { HttpTransport, TRANSPORT_DEFAULTS, type Transport } from '../transport/index.js'

/**
 * Options shared by every eventwire consumer: where to send (Mixpanel hosts, regions, endpoint
 * overrides, service account), how (timeouts, TLS) and how to retry.
 */
export interface DeliveryOptions extends MixpanelDestinationOptions, RetryOptions {
  /**
   * Deadline of one request, from sending to the end of the response, in milliseconds.
   * @default 10000
   */
  requestTimeoutMs?: number
  /** Deadline for connecting (TCP + TLS), in milliseconds. @default 10000 */
  connectTimeoutMs?: number
  /** Verify the server's TLS certificate. @default true */
  verifyCert?: boolean
  /**
   * Send somewhere other than Mixpanel (e.g. `snowplow(...)` from `eventwire/snowplow`). The
   * Mixpanel options above (`apiHost`, `region`, the URL overrides, `serviceAccount`, `gzip`...)
   * cannot be combined with it: they fail with a `ConfigError`.
   */
  destination?: Destination
  /** An undici dispatcher (Agent, Pool, ProxyAgent) to share; eventwire never closes it. */
  dispatcher?: Dispatcher
  /**
   * Send requests through this {@link Transport} instead of eventwire's own HTTP transport: for
   * example `createMemoryTransport()` from `eventwire/testing`, which answers in memory, so that
   * tests run without a network. It cannot be combined with `requestTimeoutMs`,
   * `connectTimeoutMs`, `verifyCert` or `dispatcher` (they configure the transport it replaces),
   * and `close()` does not close it.
   */
  transport?: Transport
  /** Time source for timeouts and backoff. @default systemClock */
  clock?: Clock
  /** Random source in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number
  /**
   * A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr
   * (dropped and finally failed messages, messages left at exit), at most one line per kind of
   * message every 10 s
   */
  logger?: LoggerOption
}

/** The names of {@link DeliveryOptions}. */
export const DELIVERY_OPTIONS = optionList<DeliveryOptions>()({
  ...MIXPANEL_DESTINATION_OPTIONS,
  ...RETRY_OPTIONS,
  requestTimeoutMs: true,
  connectTimeoutMs: true,
  verifyCert: true,
  destination: true,
  dispatcher: true,
  transport: true,
  clock: true,
  random: true,
  logger: true,
})

/**
 * Defaults of {@link DeliveryOptions}: the timeouts and TLS check are the transport's (applied by
 * it), the retry numbers are the retry policy's.
 */
export const DELIVERY_DEFAULTS = {
  requestTimeoutMs: TRANSPORT_DEFAULTS.requestTimeoutMs,
  connectTimeoutMs: TRANSPORT_DEFAULTS.connectTimeoutMs,
  verifyCert: TRANSPORT_DEFAULTS.verifyCert,
} as const

/** Options that configure eventwire's own transport, which `transport` replaces. */
const TRANSPORT_SETTINGS = ['requestTimeoutMs', 'connectTimeoutMs', 'verifyCert', 'dispatcher'] as const

/** The parts a consumer is assembled from, resolved from {@link DeliveryOptions}. */
export interface DeliveryParts {
  destination: Destination
  transport: Transport
  /** The consumer built the transport, so it closes it. */
  ownsTransport: boolean
  policy: RetryPolicy
  clock: Clock
  logger: Logger
}

/**
 * Validates {@link DeliveryOptions} and builds the destination, transport and retry policy.
 * Unknown keys are the caller's to check (each consumer knows its own options).
 */
export function resolveDeliveryOptions(options: DeliveryOptions = {}): DeliveryParts {
  const clock = options.clock ?? systemClock
  const mixpanel = pickOptions(options, MIXPANEL_DESTINATION_OPTIONS)
  if (options.destination !== undefined) {
    const conflict = Object.keys(mixpanel).find(
      (key) => (mixpanel as Record<string, unknown>)[key] !== undefined,
    )
    if (conflict !== undefined) {
      throw new ConfigError(
        conflict,
        `cannot be combined with "destination": it configures the Mixpanel destination, which "destination" replaces`,
      )
    }
  }
  const transport = transportOption(options.transport)
  if (transport !== undefined) {
    const conflict = TRANSPORT_SETTINGS.find((key) => options[key] !== undefined)
    if (conflict !== undefined) {
      throw new ConfigError(
        conflict,
        `cannot be combined with "transport": it configures eventwire's own transport, which "transport" replaces`,
      )
    }
  }
  return {
    destination: options.destination ?? new MixpanelDestination(mixpanel),
    transport:
      transport ??
      new HttpTransport({
        requestTimeoutMs: options.requestTimeoutMs,
        connectTimeoutMs: options.connectTimeoutMs,
        verifyCert: options.verifyCert,
        dispatcher: options.dispatcher,
        clock,
      }),
    ownsTransport: transport === undefined,
    policy: new RetryPolicy(options, options.random),
    clock,
    logger: resolveLogger(options.logger),
  }
}

function transportOption(value: unknown): Transport | undefined {
  if (value === undefined) return undefined
  const candidate = value as Partial<Transport> | null
  if (typeof candidate?.send !== 'function' || typeof candidate.close !== 'function') {
    throw new ConfigError('transport', 'expected a Transport (send(request, signal) and close())')
  }
  return value as Transport
}
