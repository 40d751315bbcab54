import type { Clock, Logger } from '../internal/index.js'
import type { ExposureTracker, VariantResult } from './types.js'

/** The event Mixpanel's experiment reports read. */
export const EXPOSURE_EVENT = '$experiment_started'

/** What an {@link ExposureReporter} needs. */
export interface ExposureReporterOptions {
  tracker: ExposureTracker | undefined
  mode: 'local' | 'remote'
  /** Entries remembered for deduplication; 0 turns deduplication off. */
  cacheSize: number
  /** How long one exposure suppresses the same one, in milliseconds. */
  ttlMs: number
  clock: Clock
  logger: Logger
}

/**
 * Sends `$experiment_started` through the tracker, at most once per (distinct id, flag, variant)
 * within `ttlMs`, remembering up to `cacheSize` such triples (least recently seen forgotten first).
 * Mixpanel counts a user as exposed from the first exposure, so repeats only cost volume. A
 * tracking failure is logged and forgets the triple, so the next evaluation tries again.
 */
export class ExposureReporter {
  readonly tracker: ExposureTracker | undefined
  readonly #mode: 'local' | 'remote'
  readonly #cacheSize: number
  readonly #ttlMs: number
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #seen = new Map<string, number>()

  constructor(options: ExposureReporterOptions) {
    this.tracker = options.tracker
    this.#mode = options.mode
    this.#cacheSize = options.cacheSize
    this.#ttlMs = options.ttlMs
    this.#clock = options.clock
    this.#logger = options.logger
  }

  /** Number of remembered exposures. */
  get size(): number {
    return this.#seen.size
  }

  /**
   * Reports that `distinctId` was exposed to `result` of `flagKey`. Returns whether an event was
   * handed to the tracker (false: no tracker, no distinct id, not a variant, or a duplicate).
   */
  report(flagKey: string, result: VariantResult, distinctId: unknown, latencyMs?: number): boolean {
    const tracker = this.tracker
    if (tracker === undefined || result.variantKey === undefined) return false
    if (typeof distinctId !== 'string' || distinctId === '') {
      this.#logger.debug({ flag: flagKey }, 'eventwire: exposure not tracked: the context has no distinct_id')
      return false
    }
    const key = this.#cacheSize > 0 ? `${flagKey}\u0000${result.variantKey}\u0000${distinctId}` : undefined
    if (key !== undefined && !this.#remember(key)) return false
    const properties: Record<string, unknown> = {
      'Experiment name': flagKey,
      'Variant name': result.variantKey,
      $experiment_type: 'feature_flag',
      'Flag evaluation mode': this.#mode,
    }
    if (latencyMs !== undefined) properties['Variant fetch latency (ms)'] = latencyMs
    if (result.experimentId !== undefined) properties.$experiment_id = result.experimentId
    if (result.isExperimentActive !== undefined) properties.$is_experiment_active = result.isExperimentActive
    if (result.isQaTester !== undefined) properties.$is_qa_tester = result.isQaTester
    const onError = (error: unknown) => {
      if (key !== undefined) this.#seen.delete(key)
      this.#logger.warn({ flag: flagKey, err: error }, 'eventwire: could not track a flag exposure')
    }
    try {
      const pending: unknown = tracker.track(distinctId, EXPOSURE_EVENT, properties)
      if (pending instanceof Promise) pending.catch(onError)
    } catch (error) {
      onError(error)
    }
    return true
  }

  /** Forgets every remembered exposure. */
  clear(): void {
    this.#seen.clear()
  }

  // True when `key` is new (or its last exposure is older than the TTL); marks it seen.
  #remember(key: string): boolean {
    const seen = this.#seen
    const now = this.#clock.now()
    const at = seen.get(key)
    if (at !== undefined) {
      seen.delete(key)
      if (now - at < this.#ttlMs) {
        // Re-inserted to mark it recently used; the TTL still counts from the tracked exposure.
        seen.set(key, at)
        return false
      }
    }
    seen.set(key, now)
    if (seen.size > this.#cacheSize) seen.delete(seen.keys().next().value!)
    return true
  }
}
