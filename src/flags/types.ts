/**
 * The evaluation context: who is asking. `distinct_id` identifies the user (exposure events and QA
 * testers use it); a flag's assignment key (`flag.context` in its definition: `distinct_id`,
 * `device_id` or a group key such as `company_id`) is read from here; `custom_properties` feed
 * runtime targeting rules.
 */
export interface FlagContext {
  distinct_id?: string
  device_id?: string
  /** Properties for runtime rules. Keys and string values are compared case-insensitively. */
  custom_properties?: Record<string, unknown>
  [key: string]: unknown
}

/** Where a result came from. */
export type VariantSource = 'local' | 'remote' | 'fallback'

/**
 * Why a result is the caller's fallback:
 * - `FLAG_NOT_FOUND`: no flag with this key (remote: or the context is not in any rollout, the
 *   server does not tell the two apart);
 * - `MISSING_CONTEXT_KEY`: the context lacks the flag's assignment key (`message` names it);
 * - `NO_ROLLOUT_MATCH`: the context is in no rollout;
 * - `NOT_READY`: local definitions have not loaded yet;
 * - `BACKEND_ERROR`: the remote evaluation failed (`message` says how; never contains the URL).
 */
export type FallbackReason =
  | 'FLAG_NOT_FOUND'
  | 'MISSING_CONTEXT_KEY'
  | 'NO_ROLLOUT_MATCH'
  | 'NOT_READY'
  | 'BACKEND_ERROR'

/**
 * The outcome of one evaluation. Evaluation never throws: a result with `source: 'fallback'` carries
 * the caller's fallback value and a `reason`.
 */
export interface VariantResult<T = unknown> {
  /** The selected variant's key; undefined for a fallback. */
  readonly variantKey: string | undefined
  /** The variant's value (any JSON), or the caller's fallback. */
  readonly value: T
  readonly source: VariantSource
  /** Set when `source` is `fallback`. */
  readonly reason?: FallbackReason
  /** Detail for `MISSING_CONTEXT_KEY` (the key) and `BACKEND_ERROR` (what failed). */
  readonly message?: string
  readonly experimentId?: string
  readonly isExperimentActive?: boolean
  /** True when the variant came from the flag's QA tester list. */
  readonly isQaTester?: boolean
}

/** Counts over a `LocalFlagsProvider`'s loaded definitions, as of the last load. */
export interface LocalFlagsStats {
  /** Flags loaded. */
  flags: number
  /** JsonLogic runtime rules (`runtime_evaluation_rule`) in their rollout groups. */
  rules: number
  /**
   * Rules the compiler does not take, which json-logic-js interprets at every evaluation (slower,
   * same answers): those using `log` or an operation name with a dot.
   */
  interpretedRules: number
}

/** Per-call evaluation options. */
export interface EvaluationOptions {
  /**
   * Track an `$experiment_started` exposure for this evaluation (deduplicated). Overrides the
   * provider's `reportExposure`.
   */
  reportExposure?: boolean
}

/**
 * Receives exposure events. Any object with this `track` method works; in eventwire it is the
 * `Mixpanel` client, whose consumer batches the events like any other.
 */
export interface ExposureTracker {
  /**
   * Tracks `event` for `distinctId`. A rejection or a throw is caught and logged by the flags
   * provider; it never reaches the evaluating code.
   */
  track(distinctId: string, event: string, properties: Record<string, unknown>): Promise<void>
}

/** Events of a flags provider. */
export interface FlagsEvents {
  /**
   * Definitions became usable: the first successful load, and the first successful load after a
   * `stale` period.
   */
  ready: { flagCount: number }
  /** A definitions load failed (every failure; the previous definitions stay in use). */
  error: { error: Error; consecutiveFailures: number }
  /** Loading has been failing for longer than `staleAfterMs`. Fired once per stale period. */
  stale: { error: Error | undefined; lastSuccessAt: number }
  /** Polled definitions changed: `flagsChanged` lists added, removed and modified flag keys. */
  configurationChanged: { flagsChanged: string[] }
  /** A definitions load succeeded (also when the server answered 304 Not Modified). */
  load: { notModified: boolean; flagCount: number; flagsChanged: string[] }
}

/**
 * What the OpenFeature provider and other wrappers need from a flags provider. Both
 * `LocalFlagsProvider` and `RemoteFlagsProvider` implement it.
 */
export interface FlagsProvider {
  /** `local` evaluates in-process from polled definitions; `remote` asks the API per call. */
  readonly mode: 'local' | 'remote'
  /** Where exposures go, if anywhere. */
  readonly tracker: ExposureTracker | undefined
  /** Evaluates one flag. Never throws. */
  getVariant<T>(
    flagKey: string,
    fallback: T,
    context: FlagContext,
    options?: EvaluationOptions,
  ): VariantResult<T> | Promise<VariantResult<T>>
  /** Whether evaluations can use real definitions (remote: always true). */
  areFlagsReady(): boolean
  /** Resolves when flags are ready. */
  ready(): Promise<void>
  /** Subscribes to an event (eventwire's providers are `EventEmitter`s). */
  on<K extends keyof FlagsEvents & string>(event: K, listener: (payload: FlagsEvents[K]) => void): unknown
  /** Unsubscribes a listener given to {@link on}. */
  off<K extends keyof FlagsEvents & string>(event: K, listener: (payload: FlagsEvents[K]) => void): unknown
  /** Stops background work and releases connections. Idempotent. */
  shutdown(): Promise<void>
}
