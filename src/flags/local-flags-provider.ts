import { type EventwireError, FlagsError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  KeepAlive,
  type Logger,
  resolveLogger,
  systemClock,
  type TimerHandle,
  TypedEmitter,
} from '../internal/index.js'
import { type CompiledFlag, compileFlag } from './compiled-flag.js'
import type { ParsedDefinitions } from './definitions.js'
import { DefinitionsPoller } from './definitions-poller.js'
import { Evaluator } from './evaluator.js'
import type { ExposureReporter } from './exposure.js'
import { resolveExposure } from './exposure-options.js'
import { type FlagsConnectionOptions, FlagsHttp } from './flags-http.js'
import {
  LOCAL_FLAGS_OPTIONS,
  type LocalFlagsOptions,
  readDefinitionsOption,
  resolvePolling,
} from './local-flags-options.js'
import { fallbackResult } from './results.js'
import type {
  EvaluationOptions,
  ExposureTracker,
  FlagContext,
  FlagsEvents,
  FlagsProvider,
  LocalFlagsStats,
  VariantResult,
} from './types.js'

/**
 * Evaluates Mixpanel feature flags in-process from definitions polled from
 * `GET /flags/definitions` (or given as an object or file), exactly as Mixpanel's SDKs assign
 * variants. Evaluation is synchronous, allocation-free on a match, and never throws.
 *
 * Loading starts at construction. Events: `ready`, `load`, `error`, `stale`,
 * `configurationChanged` (see {@link FlagsEvents}).
 */
export class LocalFlagsProvider extends TypedEmitter<FlagsEvents> implements FlagsProvider {
  readonly mode = 'local' as const
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #evaluator = new Evaluator()
  readonly #exposure: ExposureReporter
  readonly #reportExposure: boolean
  readonly #http: FlagsHttp | undefined
  readonly #poller: DefinitionsPoller | undefined
  readonly #readyPromise: Promise<void>
  readonly #keepAlive = new KeepAlive()
  #settleReady: ((error?: EventwireError) => void) | undefined
  #readyTimer: TimerHandle | undefined
  #lastLoadError: EventwireError | undefined
  #flags = new Map<string, CompiledFlag>()
  #stats: LocalFlagsStats = { flags: 0, rules: 0, interpretedRules: 0 }
  #loaded = false
  #shutdown: Promise<void> | undefined

  /** @throws {ConfigError} for an unknown or invalid option, or an unreadable `definitions` file. */
  constructor(options: LocalFlagsOptions = {}) {
    super()
    checkOptions(options, LOCAL_FLAGS_OPTIONS, 'LocalFlagsProvider')
    this.#logger = resolveLogger(options.logger)
    this.#clock = options.clock ?? systemClock
    const logger = this.#logger
    this.reportListenerErrors((error, event) =>
      logger.error({ err: error, event }, 'eventwire: a flags event listener threw'),
    )
    const exposure = resolveExposure(options, 'local', this.#clock, this.#logger)
    this.#exposure = exposure.reporter
    this.#reportExposure = exposure.reportExposure
    this.#readyPromise = new Promise<void>((resolve, reject) => {
      this.#settleReady = (error) => (error === undefined ? resolve() : reject(error))
    })
    // A caller that never awaits ready() must not see an unhandled rejection.
    this.#readyPromise.catch(() => {})

    const { pollingIntervalMs, staleAfterMs, readyTimeoutMs, enablePolling, policy } = resolvePolling(options)
    // Options are checked even with `definitions`, so a typo fails the same way in tests and production.
    if (options.definitions !== undefined) {
      this.#applyDefinitions(readDefinitionsOption(options.definitions))
      return
    }
    this.#http = new FlagsHttp(options as FlagsConnectionOptions, this.#clock)
    this.#logger = resolveLogger(options.logger, this.#http.redactor)
    this.#poller = new DefinitionsPoller(
      {
        http: this.#http,
        clock: this.#clock,
        policy,
        logger: this.#logger,
        pollingIntervalMs,
        enablePolling,
        staleAfterMs,
      },
      {
        onDefinitions: (parsed) => this.#applyDefinitions(parsed),
        onNotModified: () =>
          this.notify('load', { notModified: true, flagCount: this.#flags.size, flagsChanged: [] }),
        onFailure: (error, consecutiveFailures) => {
          this.#lastLoadError = error
          // Node's EventEmitter throws on an 'error' event nobody listens to.
          if (this.listenerCount('error') > 0) this.notify('error', { error, consecutiveFailures })
          if (!error.retryable) this.#failReady(`the first load failed for good (${error.message})`, error)
        },
        onStale: (error, lastSuccessAt) => this.notify('stale', { error, lastSuccessAt }),
        onRecovered: () => this.notify('ready', { flagCount: this.#flags.size }),
      },
    )
    if (readyTimeoutMs > 0) {
      this.#readyTimer = this.#clock.setTimeout(
        () => this.#failReady(`no successful load within readyTimeoutMs (${readyTimeoutMs} ms)`),
        readyTimeoutMs,
      )
    }
    this.#poller.start()
  }

  /** Where exposures go (the `tracker` option). */
  get tracker(): ExposureTracker | undefined {
    return this.#exposure.tracker
  }

  /** Whether definitions have loaded at least once. */
  areFlagsReady(): boolean {
    return this.#loaded
  }

  /**
   * Resolves once definitions have loaded. Rejects with `EVENTWIRE_FLAGS_UNAVAILABLE` when the
   * first load is refused (a status the retry policy does not retry, such as 401), when
   * `readyTimeoutMs` passes first, or on `shutdown()` before any load. Loading continues after a
   * rejection; once a load succeeds, `ready()` resolves again.
   */
  ready(): Promise<void> {
    // Awaited while loading goes on under unref'd timers: the process must not exit meanwhile.
    return this.#loaded ? Promise.resolve() : this.#keepAlive.during(this.#readyPromise)
  }

  /** Keys of the loaded flags. */
  flagKeys(): string[] {
    return [...this.#flags.keys()]
  }

  /** Counts over the loaded definitions (see {@link LocalFlagsStats}). */
  stats(): LocalFlagsStats {
    return { ...this.#stats }
  }

  /**
   * Evaluates `flagKey` for `context`. On a match returns the variant (`source: 'local'`) and, unless
   * disabled, tracks a deduplicated exposure for `context.distinct_id`; otherwise returns `fallback`
   * with a reason. Never throws.
   */
  getVariant<T = unknown>(
    flagKey: string,
    fallback: T,
    context: FlagContext,
    options?: EvaluationOptions,
  ): VariantResult<T> {
    if (!this.#loaded) return fallbackResult(fallback, 'NOT_READY')
    const flag = this.#flags.get(flagKey)
    if (flag === undefined) return fallbackResult(fallback, 'FLAG_NOT_FOUND')
    const ctx = typeof context === 'object' && context !== null ? context : {}
    const evaluator = this.#evaluator
    let outcome: VariantResult | string
    try {
      evaluator.begin(ctx)
      outcome = evaluator.evaluate(flag)
    } catch (error) {
      // Only a hostile context gets here (a throwing getter or toString on the assignment key).
      this.#logger.debug({ flag: flagKey, err: error }, 'eventwire: flag evaluation failed')
      return fallbackResult(fallback, 'MISSING_CONTEXT_KEY', flag.contextKey)
    }
    if (typeof outcome === 'string') {
      return outcome === 'MISSING_CONTEXT_KEY'
        ? fallbackResult(fallback, 'MISSING_CONTEXT_KEY', flag.contextKey)
        : fallbackResult(fallback, 'NO_ROLLOUT_MATCH')
    }
    if (options?.reportExposure ?? this.#reportExposure)
      this.#exposure.report(flagKey, outcome, ctx.distinct_id)
    return outcome as VariantResult<T>
  }

  /** The selected variant's value, or `fallback`. Never throws. */
  getVariantValue<T = unknown>(
    flagKey: string,
    fallback: T,
    context: FlagContext,
    options?: EvaluationOptions,
  ): T {
    return this.getVariant(flagKey, fallback, context, options).value
  }

  /** True only when the selected variant's value is the boolean `true` (no truthiness). Never throws. */
  isEnabled(flagKey: string, context: FlagContext, options?: EvaluationOptions): boolean {
    return this.getVariant<unknown>(flagKey, false, context, options).value === true
  }

  /**
   * Every flag that selects a variant for `context`, by key. Never tracks exposures: call
   * {@link trackExposure} for the ones you use.
   */
  getAllVariants(context: FlagContext): Record<string, VariantResult> {
    const out: Record<string, VariantResult> = {}
    if (!this.#loaded) return out
    const evaluator = this.#evaluator
    evaluator.begin(typeof context === 'object' && context !== null ? context : {})
    for (const [key, flag] of this.#flags) {
      try {
        const outcome = evaluator.evaluate(flag)
        if (typeof outcome !== 'string') out[key] = outcome
      } catch (error) {
        this.#logger.debug({ flag: key, err: error }, 'eventwire: flag evaluation failed')
      }
    }
    return out
  }

  /**
   * Tracks an exposure to `variant` of `flagKey` for `context.distinct_id`, deduplicated like
   * automatic exposures. Returns whether an event was handed to the tracker.
   */
  trackExposure(flagKey: string, variant: VariantResult, context: FlagContext): boolean {
    return this.#exposure.report(flagKey, variant, context?.distinct_id)
  }

  /**
   * Stops polling, aborts a request in flight and closes connections. Evaluation keeps using the
   * last definitions. Idempotent.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#poller?.stop()
      this.#failReady('the provider was shut down before definitions loaded')
      await this.#http?.close()
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

  #applyDefinitions(parsed: ParsedDefinitions): void {
    for (const { key, reason } of parsed.skipped) {
      this.#logger.warn({ flag: key, reason }, 'eventwire: skipped an invalid flag definition')
    }
    const previous = this.#flags
    const next = new Map<string, CompiledFlag>()
    const changed = new Set<string>()
    for (const definition of parsed.flags) {
      const fingerprint = JSON.stringify(definition)
      const old = previous.get(definition.key)
      if (old !== undefined && old.fingerprint === fingerprint) next.set(definition.key, old)
      else {
        next.set(definition.key, compileFlag(definition, this.#logger, fingerprint))
        changed.add(definition.key)
      }
    }
    for (const key of previous.keys()) if (!next.has(key)) changed.add(key)
    this.#flags = next
    const stats: LocalFlagsStats = { flags: next.size, rules: 0, interpretedRules: 0 }
    for (const flag of next.values()) {
      stats.rules += flag.rules
      stats.interpretedRules += flag.interpretedRules
    }
    this.#stats = stats
    const flagsChanged = [...changed]
    const first = !this.#loaded
    this.#loaded = true
    this.notify('load', { notModified: false, flagCount: next.size, flagsChanged })
    if (first) {
      this.#readyTimer?.cancel()
      this.#settleReady?.()
      this.#settleReady = undefined
      this.notify('ready', { flagCount: next.size })
    } else if (flagsChanged.length > 0) {
      this.notify('configurationChanged', { flagsChanged })
    }
  }

  #failReady(reason: string, cause?: EventwireError): void {
    if (this.#loaded || this.#settleReady === undefined) return
    this.#readyTimer?.cancel()
    this.#settleReady(
      new FlagsError('EVENTWIRE_FLAGS_UNAVAILABLE', `Flag definitions are not available: ${reason}`, {
        cause: cause ?? this.#lastLoadError,
      }),
    )
    this.#settleReady = undefined
  }
}
