import type { Dispatcher } from 'undici'
import {
  type Destination,
  MixpanelDestination,
  type MixpanelDestinationOptions,
} from '../destinations/index.js'
import {
  type Clock,
  type Logger,
  type LoggerOption,
  type RetryOptions,
  RetryPolicy,
  resolveLogger,
  systemClock,
} from '../internal/index.js'
import { HttpTransport } from '../transport/index.js'

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
   * Send somewhere other than Mixpanel (e.g. `snowplow(...)` from `eventwire/snowplow`). When set,
   * the Mixpanel host options above are ignored.
   */
  destination?: Destination
  /** An undici dispatcher (Agent, Pool, ProxyAgent) to share; eventwire never closes it. */
  dispatcher?: Dispatcher
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

/** The parts a consumer is assembled from, resolved from {@link DeliveryOptions}. */
export interface DeliveryParts {
  destination: Destination
  transport: HttpTransport
  policy: RetryPolicy
  clock: Clock
  logger: Logger
}

/** Validates {@link DeliveryOptions} and builds the destination, transport and retry policy. */
export function resolveDeliveryOptions(options: DeliveryOptions = {}): DeliveryParts {
  const clock = options.clock ?? systemClock
  return {
    destination: options.destination ?? new MixpanelDestination(options),
    transport: new HttpTransport({
      requestTimeoutMs: options.requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      verifyCert: options.verifyCert,
      dispatcher: options.dispatcher,
      clock,
    }),
    policy: new RetryPolicy(options, options.random),
    clock,
    logger: resolveLogger(options.logger),
  }
}
