import { ConfigError } from '../errors/index.js'
import { checkOptions, describe, intOption, numberOption, optionList } from '../internal/index.js'

/**
 * Failures the collector injects into ingestion requests, for testing a sender's retries. Applies
 * to `/track`, `/engage`, `/groups`, `/import` and the Snowplow endpoints, never to `/_/*`, the UI
 * or `/flags`. Faulted requests store nothing.
 */
export interface FaultOptions {
  /** Share of requests answered with `status` instead of being ingested, from 0 to 1. @default 0 */
  failRate?: number
  /** HTTP status of injected failures, 400–599. @default 503 */
  status?: number
  /** Answer every request with `status` for this long after the faults are set, in milliseconds. @default 0 */
  downForMs?: number
  /** Delay added before every request is handled, in milliseconds. @default 0 */
  latencyMs?: number
  /** When set, injected failures carry `Retry-After` with this many seconds. */
  retryAfterSec?: number
  /** Share of requests whose connection is destroyed without an answer, from 0 to 1. @default 0 */
  resetRate?: number
}

/** The fault settings in force, with defaults filled in. */
export interface ResolvedFaults {
  failRate: number
  status: number
  downForMs: number
  latencyMs: number
  retryAfterSec: number | null
  resetRate: number
  /** When `downForMs` ends, in milliseconds since the epoch (null when not down). */
  downUntil: number | null
}

/** What to do with one request. */
export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'reset' }
  | { kind: 'fail'; status: number; retryAfterSec: number | null }

/** The names of {@link FaultOptions}. */
export const FAULT_OPTIONS = optionList<FaultOptions>()({
  failRate: true,
  status: true,
  downForMs: true,
  latencyMs: true,
  retryAfterSec: true,
  resetRate: true,
})

/** Defaults of {@link FaultOptions}. */
export const FAULT_DEFAULTS = { failRate: 0, status: 503, downForMs: 0, latencyMs: 0, resetRate: 0 } as const

/** Validates fault options (throws `ConfigError` naming the field) and resolves them at `now`. */
export function resolveFaults(
  options: FaultOptions | undefined,
  now: number,
  prefix = 'faults',
): ResolvedFaults {
  if (options === undefined) options = {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(prefix, `expected an object, got ${describe(options)}`)
  }
  checkOptions(options, FAULT_OPTIONS, prefix)
  const downForMs = intOption(`${prefix}.downForMs`, options.downForMs, FAULT_DEFAULTS.downForMs, 0)
  const retryAfter = options.retryAfterSec
  return {
    failRate: numberOption(`${prefix}.failRate`, options.failRate, FAULT_DEFAULTS.failRate, 0, 1),
    status: intOption(`${prefix}.status`, options.status, FAULT_DEFAULTS.status, 400, 599),
    downForMs,
    latencyMs: intOption(`${prefix}.latencyMs`, options.latencyMs, FAULT_DEFAULTS.latencyMs, 0, 600_000),
    retryAfterSec:
      retryAfter === undefined ? null : intOption(`${prefix}.retryAfterSec`, retryAfter, 0, 0, 86_400),
    resetRate: numberOption(`${prefix}.resetRate`, options.resetRate, FAULT_DEFAULTS.resetRate, 0, 1),
    downUntil: downForMs > 0 ? now + downForMs : null,
  }
}

/**
 * Decides, per request, whether to pass it, fail it or reset its connection. `random` (values in
 * [0, 1)) is injectable so tests are deterministic.
 */
export class FaultInjector {
  #faults: ResolvedFaults
  readonly #random: () => number

  constructor(faults: ResolvedFaults, random: () => number) {
    this.#faults = faults
    this.#random = random
  }

  /** The settings in force. */
  get current(): ResolvedFaults {
    return { ...this.#faults }
  }

  /** Replaces the settings. */
  set(faults: ResolvedFaults): void {
    this.#faults = faults
  }

  /** Delay before handling a request, in milliseconds. */
  get latencyMs(): number {
    return this.#faults.latencyMs
  }

  /** The decision for one request at `now`. */
  decide(now: number): FaultDecision {
    const f = this.#faults
    if (f.downUntil !== null && now < f.downUntil)
      return { kind: 'fail', status: f.status, retryAfterSec: f.retryAfterSec }
    if (f.resetRate > 0 && this.#random() < f.resetRate) return { kind: 'reset' }
    if (f.failRate > 0 && this.#random() < f.failRate) {
      return { kind: 'fail', status: f.status, retryAfterSec: f.retryAfterSec }
    }
    return { kind: 'pass' }
  }
}
