import { ConfigError } from '../errors/index.js'
import { boolOption, type Clock, intOption, type Logger, optionList } from '../internal/index.js'
import { ExposureReporter } from './exposure.js'
import type { ExposureTracker } from './types.js'

/** Exposure tracking options shared by the local and remote providers. */
export interface ExposureOptions {
  /**
   * Receives `$experiment_started` events: any object with
   * `track(distinctId, event, properties): Promise<void>`, typically the `Mixpanel` client (its
   * consumer batches them). Without one, no exposures are sent. A client with a typed event map
   * (`Mixpanel<MyEvents>`) does not accept `$experiment_started` at the type level: pass it as
   * `mp as ExposureTracker`.
   */
  tracker?: ExposureTracker
  /** Track an exposure when an evaluation selects a variant; per call `reportExposure` overrides it. @default true */
  reportExposure?: boolean
  /**
   * Exposures remembered to send each (distinct id, flag, variant) once; the least recently seen is
   * forgotten first. About 150 bytes each. `0` turns deduplication off (every evaluation sends).
   * @default 100000
   */
  exposureCacheSize?: number
  /** How long a sent exposure suppresses the same one, in milliseconds. @default 86400000 (24 h) */
  exposureTtlMs?: number
}

/** The names of {@link ExposureOptions}. */
export const EXPOSURE_OPTIONS = optionList<ExposureOptions>()({
  tracker: true,
  reportExposure: true,
  exposureCacheSize: true,
  exposureTtlMs: true,
})

/** Defaults of {@link ExposureOptions}. */
export const EXPOSURE_DEFAULTS = {
  reportExposure: true,
  exposureCacheSize: 100_000,
  exposureTtlMs: 24 * 60 * 60 * 1000,
} as const

/** Validates {@link ExposureOptions} and builds the reporter. */
export function resolveExposure(
  options: ExposureOptions,
  mode: 'local' | 'remote',
  clock: Clock,
  logger: Logger,
): { reporter: ExposureReporter; reportExposure: boolean } {
  const tracker = options.tracker
  if (tracker !== undefined && (typeof tracker !== 'object' || typeof tracker?.track !== 'function')) {
    throw new ConfigError('tracker', 'expected an object with a track(distinctId, event, properties) method')
  }
  const reportExposure = boolOption(
    'reportExposure',
    options.reportExposure,
    EXPOSURE_DEFAULTS.reportExposure,
  )
  const cacheSize = intOption(
    'exposureCacheSize',
    options.exposureCacheSize,
    EXPOSURE_DEFAULTS.exposureCacheSize,
    0,
    10_000_000,
  )
  const ttlMs = intOption('exposureTtlMs', options.exposureTtlMs, EXPOSURE_DEFAULTS.exposureTtlMs, 0)
  return {
    reporter: new ExposureReporter({ tracker, mode, cacheSize, ttlMs, clock, logger }),
    reportExposure,
  }
}
