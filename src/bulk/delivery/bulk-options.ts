import { DELIVERY_OPTIONS, type DeliveryOptions } from '../../consumers/index.js'
import { ConfigError } from '../../errors/index.js'
import {
  type CheckOptionsContext,
  type Clock,
  checkOptions,
  definedOptions,
  intOption,
  optionList,
  systemClock,
} from '../../internal/index.js'
import { BulkDelivery } from './bulk-delivery.js'

/**
 * Options shared by the bulk operations (import, people sync, profile clean-up): where to send
 * (every {@link DeliveryOptions} option: `apiHost`, `region`, `serviceAccount`, timeouts, retry
 * options...), the project token, and how many requests run at once.
 */
export interface BulkOptions extends DeliveryOptions {
  /** The Mixpanel project token, set on every event and profile update. */
  token: string
  /**
   * Requests in flight at once (Mixpanel suggests 10 to 20 concurrent 2000-event batches).
   * @default 10
   */
  concurrency?: number
  /**
   * Records per request, at most 2000.
   * @default 2000
   */
  batchSize?: number
}

/** The names of {@link BulkOptions}. */
export const BULK_OPTIONS = optionList<BulkOptions>()({
  ...DELIVERY_OPTIONS,
  token: true,
  concurrency: true,
  batchSize: true,
})

/** Defaults of {@link BulkOptions} and of the retry policy for bulk work. */
export const BULK_DEFAULTS = {
  concurrency: 10,
  batchSize: 2000,
  /**
   * Bulk work backs off the way Mixpanel's import guide asks: from about 2 s, doubling up to 60 s
   * (full jitter), up to 8 retries; a server's `Retry-After` wins.
   */
  retryLimit: 8,
  retryBackoffFactor: 2,
  maxRetryDelayMs: 60_000,
} as const

/** Resolved bulk options: a delivery engine and the validated numbers. */
export interface BulkParts {
  readonly delivery: BulkDelivery
  readonly token: string
  readonly concurrency: number
  readonly batchSize: number
  readonly clock: Clock
}

/**
 * Validates the options of a bulk operation whole (`names` are its option names, `owner` names
 * it in errors) and builds the delivery engine (destination, transport, retry policy).
 * @throws {ConfigError} naming the option (an unknown one too).
 */
export function resolveBulkOptions(
  options: BulkOptions,
  names: Readonly<Record<string, true>> = BULK_OPTIONS,
  owner = 'resolveBulkOptions',
  context: CheckOptionsContext = {},
): BulkParts {
  checkOptions(options, names, owner, { ...context, required: true })
  if (typeof options.token !== 'string' || options.token === '') {
    throw new ConfigError('token', 'the Mixpanel project token is required')
  }
  const concurrency = intOption('concurrency', options.concurrency, BULK_DEFAULTS.concurrency, 1, 256)
  const batchSize = intOption('batchSize', options.batchSize, BULK_DEFAULTS.batchSize, 1, 2000)
  const delivery: DeliveryOptions = {}
  for (const key of Object.keys(DELIVERY_OPTIONS) as Array<keyof DeliveryOptions>) {
    if (options[key] !== undefined) (delivery as Record<string, unknown>)[key] = options[key]
  }
  const engine = new BulkDelivery(
    {
      retryLimit: BULK_DEFAULTS.retryLimit,
      retryBackoffFactor: BULK_DEFAULTS.retryBackoffFactor,
      maxRetryDelayMs: BULK_DEFAULTS.maxRetryDelayMs,
      ...definedOptions(delivery),
      // A destination of your own has its own batch limits.
      ...(delivery.destination === undefined ? { maxBatchSize: batchSize } : {}),
    },
    batchSize,
    concurrency,
  )
  return {
    delivery: engine,
    token: options.token,
    concurrency,
    batchSize,
    clock: options.clock ?? systemClock,
  }
}
