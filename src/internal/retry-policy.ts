import { ConfigError } from '../errors/index.js'
import { intOption, numberOption, optionList } from './validate.js'

/** Options of the one retry policy shared by every consumer and the flags poller. */
export interface RetryOptions {
  /**
   * Retries after the first attempt, per message. `0` disables retries.
   * @default 4
   */
  retryLimit?: number
  /**
   * Backoff factor in seconds: the n-th retry waits up to `retryBackoffFactor × 2^(n−1)` seconds
   * (full jitter: a random time between 0 and that bound), capped by `maxRetryDelayMs`.
   * @default 0.25
   */
  retryBackoffFactor?: number
  /**
   * Upper bound of one backoff delay, in milliseconds. A server's `Retry-After` is honoured even
   * when longer.
   * @default 60000
   */
  maxRetryDelayMs?: number
  /**
   * HTTP status → whether to retry it, overriding the defaults (retried: 408, 425, 429 and 5xx;
   * not retried: every other 4xx, such as 400, 401, 403, 410, 422).
   */
  customRetryCodes?: Readonly<Record<number, boolean>>
}

/** The names of {@link RetryOptions}. */
export const RETRY_OPTIONS = optionList<RetryOptions>()({
  retryLimit: true,
  retryBackoffFactor: true,
  maxRetryDelayMs: true,
  customRetryCodes: true,
})

/** Defaults of {@link RetryOptions}. */
export const RETRY_DEFAULTS = {
  retryLimit: 4,
  retryBackoffFactor: 0.25,
  maxRetryDelayMs: 60_000,
} as const

/** Longest `Retry-After` honoured, so a broken header cannot park delivery for days. */
const MAX_RETRY_AFTER_MS = 60 * 60 * 1000

/**
 * Exponential backoff with full jitter, a retry limit, `Retry-After` and per-status overrides.
 * There is one instance per consumer; every retry decision goes through it.
 */
export class RetryPolicy {
  readonly retryLimit: number
  readonly retryBackoffFactor: number
  readonly maxRetryDelayMs: number
  readonly #custom: ReadonlyMap<number, boolean>
  readonly #random: () => number

  constructor(options: RetryOptions = {}, random: () => number = Math.random) {
    this.retryLimit = intOption('retryLimit', options.retryLimit, RETRY_DEFAULTS.retryLimit, 0, 1000)
    this.retryBackoffFactor = numberOption(
      'retryBackoffFactor',
      options.retryBackoffFactor,
      RETRY_DEFAULTS.retryBackoffFactor,
      0,
      3600,
    )
    this.maxRetryDelayMs = intOption(
      'maxRetryDelayMs',
      options.maxRetryDelayMs,
      RETRY_DEFAULTS.maxRetryDelayMs,
      0,
    )
    this.#custom = parseRetryCodes(options.customRetryCodes)
    this.#random = random
  }

  /** Whether an HTTP status should be retried. */
  isRetryableStatus(status: number): boolean {
    const custom = this.#custom.get(status)
    if (custom !== undefined) return custom
    if (status === 408 || status === 425 || status === 429) return true
    return status >= 500 && status <= 599
  }

  /** Whether a custom rule exists for `status` (used to let it override destination-specific handling). */
  hasCustomRule(status: number): boolean {
    return this.#custom.has(status)
  }

  /**
   * Milliseconds to wait before retry number `retry` (1-based). A server-provided `retryAfterMs`
   * wins over the computed backoff.
   */
  delayMs(retry: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
    const bound = Math.min(this.maxRetryDelayMs, this.retryBackoffFactor * 1000 * 2 ** (retry - 1))
    return Math.floor(this.#random() * bound)
  }
}

function parseRetryCodes(codes: Readonly<Record<number, boolean>> | undefined): ReadonlyMap<number, boolean> {
  const map = new Map<number, boolean>()
  if (codes === undefined) return map
  if (typeof codes !== 'object' || codes === null) {
    throw new ConfigError('customRetryCodes', 'expected an object mapping HTTP status codes to true or false')
  }
  for (const [key, value] of Object.entries(codes)) {
    const status = Number(key)
    if (!Number.isInteger(status) || status < 100 || status > 599 || typeof value !== 'boolean') {
      throw new ConfigError(
        'customRetryCodes',
        `entry ${key}: expected a status from 100 to 599 mapped to true or false`,
      )
    }
    map.set(status, value)
  }
  return map
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
