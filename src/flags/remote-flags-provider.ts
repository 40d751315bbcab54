import { isEventwireError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  intOption,
  KeepAlive,
  type Logger,
  type LoggerOption,
  numberOption,
  omitOptions,
  optionList,
  RetryPolicy,
  resolveLogger,
  systemClock,
  TypedEmitter,
} from '../internal/index.js'
import { describeTarget, sendWithRetries } from '../transport/index.js'
import type { ExposureReporter } from './exposure.js'
import { EXPOSURE_OPTIONS, type ExposureOptions, resolveExposure } from './exposure-options.js'
import { FLAGS_CONNECTION_OPTIONS, type FlagsConnectionOptions, FlagsHttp } from './flags-http.js'
import { fallbackResult, remoteResult } from './results.js'
import type {
  EvaluationOptions,
  ExposureTracker,
  FlagContext,
  FlagsEvents,
  FlagsProvider,
  VariantResult,
} from './types.js'

/** Options of {@link RemoteFlagsProvider}. */
export interface RemoteFlagsOptions extends FlagsConnectionOptions, ExposureOptions {
  /** Retries of one evaluation after a network error, 408, 425, 429 or 5xx. @default 1 */
  retryLimit?: number
  /** Backoff factor in seconds (full jitter, doubling per retry). @default 0.1 */
  retryBackoffFactor?: number
  /**
   * Longest wait before a retry, in milliseconds. A `Retry-After` longer than this ends the
   * evaluation with `BACKEND_ERROR` instead of stalling the caller.
   * @default 2000
   */
  maxRetryDelayMs?: number
  /** HTTP status → retry or not, overriding the defaults. */
  customRetryCodes?: Readonly<Record<number, boolean>>
  /** Time source for latency, timeouts and backoff. @default systemClock */
  clock?: Clock
  /** Random source in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/**
 * {@link RemoteFlagsOptions} without `token` and `tracker`: what the `Mixpanel` client's
 * `remoteFlags` option takes.
 */
export type RemoteFlagsConfig = Omit<RemoteFlagsOptions, 'token' | 'tracker'>

/** The names of {@link RemoteFlagsConfig}. */
export const REMOTE_FLAGS_CONFIG = optionList<RemoteFlagsConfig>()({
  ...omitOptions(FLAGS_CONNECTION_OPTIONS, 'token'),
  ...omitOptions(EXPOSURE_OPTIONS, 'tracker'),
  retryLimit: true,
  retryBackoffFactor: true,
  maxRetryDelayMs: true,
  customRetryCodes: true,
  clock: true,
  random: true,
  logger: true,
})

/** The names of {@link RemoteFlagsOptions}. */
export const REMOTE_FLAGS_OPTIONS = optionList<RemoteFlagsOptions>()({
  ...REMOTE_FLAGS_CONFIG,
  token: true,
  tracker: true,
})

/** Defaults of {@link RemoteFlagsOptions}. */
export const REMOTE_FLAGS_DEFAULTS = {
  retryLimit: 1,
  retryBackoffFactor: 0.1,
  maxRetryDelayMs: 2000,
} as const

type FetchOutcome = { flags: Record<string, unknown> } | { error: string }

/**
 * Evaluates flags on Mixpanel's servers: one `GET /flags?context=…&flag_key=…` per evaluation
 * (cohorts and sticky variants work here, unlike local evaluation). Never throws: any failure
 * returns the fallback with `BACKEND_ERROR` and a message such as `HTTP 400: <body>` (never the
 * URL, which holds the token and the context).
 */
export class RemoteFlagsProvider extends TypedEmitter<FlagsEvents> implements FlagsProvider {
  readonly mode = 'remote' as const
  readonly #http: FlagsHttp
  readonly #policy: RetryPolicy
  readonly #keepAlive = new KeepAlive()
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #exposure: ExposureReporter
  readonly #reportExposure: boolean
  readonly #inflight = new Set<AbortController>()
  #shutdown: Promise<void> | undefined

  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(options: RemoteFlagsOptions) {
    super()
    checkOptions(options, REMOTE_FLAGS_OPTIONS, 'RemoteFlagsProvider', { required: true })
    this.#logger = resolveLogger(options.logger)
    this.#clock = options.clock ?? systemClock
    const logger = this.#logger
    this.reportListenerErrors((error, event) =>
      logger.error({ err: error, event }, 'eventwire: a flags event listener threw'),
    )
    const d = REMOTE_FLAGS_DEFAULTS
    this.#policy = new RetryPolicy(
      {
        retryLimit: intOption('retryLimit', options.retryLimit, d.retryLimit, 0, 10),
        retryBackoffFactor: numberOption(
          'retryBackoffFactor',
          options.retryBackoffFactor,
          d.retryBackoffFactor,
          0,
        ),
        maxRetryDelayMs: intOption('maxRetryDelayMs', options.maxRetryDelayMs, d.maxRetryDelayMs, 0),
        customRetryCodes: options.customRetryCodes,
      },
      options.random,
    )
    const exposure = resolveExposure(options, 'remote', this.#clock, this.#logger)
    this.#exposure = exposure.reporter
    this.#reportExposure = exposure.reportExposure
    this.#http = new FlagsHttp(options, this.#clock)
    this.#logger = resolveLogger(options.logger, this.#http.redactor)
  }

  /** Where exposures go (the `tracker` option). */
  get tracker(): ExposureTracker | undefined {
    return this.#exposure.tracker
  }

  /** Always true: remote evaluation needs no definitions. */
  areFlagsReady(): boolean {
    return true
  }

  /** Resolves at once. */
  ready(): Promise<void> {
    return Promise.resolve()
  }

  /**
   * Asks the API for `flagKey`'s variant for `context`. A flag absent from the answer (unknown, or
   * the context is in no rollout) gives `FLAG_NOT_FOUND`. On a variant, tracks a deduplicated
   * exposure with `Variant fetch latency (ms)`. Never rejects.
   */
  async getVariant<T = unknown>(
    flagKey: string,
    fallback: T,
    context: FlagContext,
    options?: EvaluationOptions,
  ): Promise<VariantResult<T>> {
    const started = this.#clock.now()
    const outcome = await this.#fetch(context, flagKey)
    if ('error' in outcome) return fallbackResult(fallback, 'BACKEND_ERROR', outcome.error)
    const selected = Object.hasOwn(outcome.flags, flagKey) ? outcome.flags[flagKey] : undefined
    if (typeof selected !== 'object' || selected === null) return fallbackResult(fallback, 'FLAG_NOT_FOUND')
    const result = remoteResult<T>(selected as Record<string, unknown>)
    if (options?.reportExposure ?? this.#reportExposure) {
      this.#exposure.report(flagKey, result, context?.distinct_id, this.#clock.now() - started)
    }
    return result
  }

  /** The selected variant's value, or `fallback`. Never rejects. */
  async getVariantValue<T = unknown>(
    flagKey: string,
    fallback: T,
    context: FlagContext,
    options?: EvaluationOptions,
  ): Promise<T> {
    return (await this.getVariant(flagKey, fallback, context, options)).value
  }

  /** True only when the selected value is the boolean `true`. Never rejects. */
  async isEnabled(flagKey: string, context: FlagContext, options?: EvaluationOptions): Promise<boolean> {
    return (await this.getVariant<unknown>(flagKey, false, context, options)).value === true
  }

  /**
   * Every flag the context is enrolled in, by key, from one request; `null` when the request failed.
   * Never tracks exposures.
   */
  async getAllVariants(context: FlagContext): Promise<Record<string, VariantResult> | null> {
    const outcome = await this.#fetch(context)
    if ('error' in outcome) return null
    const out: Record<string, VariantResult> = {}
    for (const [key, selected] of Object.entries(outcome.flags)) {
      if (typeof selected === 'object' && selected !== null)
        out[key] = remoteResult(selected as Record<string, unknown>)
    }
    return out
  }

  /** Tracks an exposure manually (deduplicated). Returns whether an event was handed to the tracker. */
  trackExposure(flagKey: string, variant: VariantResult, context: FlagContext): boolean {
    return this.#exposure.report(flagKey, variant, context?.distinct_id)
  }

  /** Aborts requests in flight and closes connections. Later evaluations return fallbacks. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      for (const controller of this.#inflight) controller.abort()
      await this.#http.close()
    })()
    return this.#shutdown
  }

  /** Same as {@link shutdown}. */
  close(): Promise<void> {
    return this.shutdown()
  }

  /** `shutdown()`, for `await using flags = ...`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown()
  }

  /** One `/flags` request with retries; the process stays alive while it runs (it is awaited). */
  #fetch(context: FlagContext, flagKey?: string): Promise<FetchOutcome> {
    return this.#keepAlive.during(this.#request(context, flagKey))
  }

  async #request(context: FlagContext, flagKey?: string): Promise<FetchOutcome> {
    if (this.#shutdown !== undefined) return { error: 'the flags provider is shut down' }
    let contextJson: string
    try {
      contextJson = JSON.stringify(context ?? {})
    } catch (error) {
      return { error: `the context cannot be serialised to JSON: ${(error as Error).message}` }
    }
    const extra: Record<string, string> = { context: contextJson }
    if (flagKey !== undefined) extra.flag_key = flagKey
    const request = { url: this.#http.url('/flags', extra), method: 'GET' as const, bodyBytes: 0 }
    const controller = new AbortController()
    this.#inflight.add(controller)
    try {
      const res = await sendWithRetries(
        this.#http.transport,
        () => ({ ...request, headers: this.#http.headers() }),
        {
          policy: this.#policy,
          clock: this.#clock,
          signal: controller.signal,
          // A flag answer is wanted now: a server asking to wait longer than a backoff is a failure.
          maxRetryAfterMs: this.#policy.maxRetryDelayMs,
        },
      )
      if (res.status >= 200 && res.status < 300) return parseFlags(res.body)
      return { error: this.#http.describeFailure(res.status, res.body) }
    } catch (error) {
      return { error: describeError(error, describeTarget(request)) }
    } finally {
      this.#inflight.delete(controller)
    }
  }
}

function parseFlags(body: string): FetchOutcome {
  try {
    const json = JSON.parse(body) as { flags?: unknown }
    const flags = json?.flags
    if (typeof flags === 'object' && flags !== null && !Array.isArray(flags)) {
      return { flags: flags as Record<string, unknown> }
    }
  } catch {
    // Reported below like any other unreadable answer.
  }
  return { error: 'the /flags response is not { "flags": { ... } } JSON' }
}

// The transport prefixes messages with `GET <url without query>`; that part is dropped too.
function describeError(error: unknown, target: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const text = message.startsWith(`${target}: `) ? message.slice(target.length + 2) : message
  return isEventwireError(error) ? `${error.code}: ${text}` : text
}
