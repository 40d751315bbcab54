import { readFileSync } from 'node:fs'
import { ConfigError, isEventwireError } from '../errors/index.js'
import {
  boolOption,
  type Clock,
  intOption,
  type LoggerOption,
  numberOption,
  omitOptions,
  optionList,
  RetryPolicy,
} from '../internal/index.js'
import {
  type FlagDefinitions,
  type ParsedDefinitions,
  parseDefinitions,
  parseDefinitionsText,
} from './definitions.js'
import { EXPOSURE_OPTIONS, type ExposureOptions } from './exposure-options.js'
import { FLAGS_CONNECTION_OPTIONS, type FlagsConnectionOptions } from './flags-http.js'

/** Options of {@link LocalFlagsProvider}. */
export interface LocalFlagsOptions extends Partial<FlagsConnectionOptions>, ExposureOptions {
  /**
   * Definitions to use instead of polling the API: a `{ flags: [...] }` object (the body of
   * `GET /flags/definitions`) or the path of a JSON file holding one, read once at construction.
   * With it, `token` is not needed and nothing is requested.
   */
  definitions?: FlagDefinitions | string
  /** Keep polling after the first successful load. @default true */
  enablePolling?: boolean
  /** Time between two loads, in milliseconds. @default 60000 */
  pollingIntervalMs?: number
  /** Loads failing for this long after the last success emit `stale` (once per period). @default 300000 */
  staleAfterMs?: number
  /**
   * `ready()` rejects when no load has succeeded this long after construction, in milliseconds.
   * `0` waits indefinitely. Loading goes on either way.
   * @default 10000
   */
  readyTimeoutMs?: number
  /** Backoff factor after a failed load, in seconds (full jitter, doubling per failure). @default 1 */
  retryBackoffFactor?: number
  /** Upper bound of one backoff delay, in milliseconds. A 429's `Retry-After` wins. @default 60000 */
  maxRetryDelayMs?: number
  /** Time source for polling, backoff, staleness and exposure TTLs. @default systemClock */
  clock?: Clock
  /** Random source in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/**
 * {@link LocalFlagsOptions} without `token` and `tracker`: what the `Mixpanel` client's
 * `localFlags` option takes (the client supplies both).
 */
export type LocalFlagsConfig = Omit<LocalFlagsOptions, 'token' | 'tracker'>

/** The names of {@link LocalFlagsConfig}. */
export const LOCAL_FLAGS_CONFIG = optionList<LocalFlagsConfig>()({
  ...omitOptions(FLAGS_CONNECTION_OPTIONS, 'token'),
  ...omitOptions(EXPOSURE_OPTIONS, 'tracker'),
  definitions: true,
  enablePolling: true,
  pollingIntervalMs: true,
  staleAfterMs: true,
  readyTimeoutMs: true,
  retryBackoffFactor: true,
  maxRetryDelayMs: true,
  clock: true,
  random: true,
  logger: true,
})

/** The names of {@link LocalFlagsOptions}. */
export const LOCAL_FLAGS_OPTIONS = optionList<LocalFlagsOptions>()({
  ...LOCAL_FLAGS_CONFIG,
  token: true,
  tracker: true,
})

/** Defaults of {@link LocalFlagsOptions}. */
export const LOCAL_FLAGS_DEFAULTS = {
  enablePolling: true,
  pollingIntervalMs: 60_000,
  staleAfterMs: 300_000,
  readyTimeoutMs: 10_000,
  retryBackoffFactor: 1,
  maxRetryDelayMs: 60_000,
} as const

/** The polling settings of {@link LocalFlagsOptions}, validated. */
export interface PollingSettings {
  pollingIntervalMs: number
  staleAfterMs: number
  readyTimeoutMs: number
  enablePolling: boolean
  policy: RetryPolicy
}

/** Validates the polling options; throws `ConfigError` naming a bad one. */
export function resolvePolling(options: LocalFlagsOptions): PollingSettings {
  const d = LOCAL_FLAGS_DEFAULTS
  return {
    pollingIntervalMs: intOption('pollingIntervalMs', options.pollingIntervalMs, d.pollingIntervalMs, 100),
    staleAfterMs: intOption('staleAfterMs', options.staleAfterMs, d.staleAfterMs, 0),
    readyTimeoutMs: intOption('readyTimeoutMs', options.readyTimeoutMs, d.readyTimeoutMs, 0),
    enablePolling: boolOption('enablePolling', options.enablePolling, d.enablePolling),
    policy: new RetryPolicy(
      {
        retryBackoffFactor: numberOption(
          'retryBackoffFactor',
          options.retryBackoffFactor,
          d.retryBackoffFactor,
          0,
        ),
        maxRetryDelayMs: intOption('maxRetryDelayMs', options.maxRetryDelayMs, d.maxRetryDelayMs, 0),
      },
      options.random,
    ),
  }
}

/** Reads the `definitions` option (an object or a file path); throws `ConfigError` when invalid. */
export function readDefinitionsOption(value: FlagDefinitions | string): ParsedDefinitions {
  try {
    if (typeof value === 'string') return parseDefinitionsText(readFileSync(value, 'utf8'))
    return parseDefinitions(value)
  } catch (error) {
    const detail = isEventwireError(error) ? error.message : (error as Error).message
    throw new ConfigError('definitions', detail)
  }
}
