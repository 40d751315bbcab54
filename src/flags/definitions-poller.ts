import { DeliveryError, type EventwireError, FlagsError, isEventwireError } from '../errors/index.js'
import {
  type Clock,
  type Logger,
  parseRetryAfter,
  type RetryPolicy,
  type TimerHandle,
} from '../internal/index.js'
import { type ParsedDefinitions, parseDefinitionsText } from './definitions.js'
import type { FlagsHttp } from './flags-http.js'

/** What the poller reports to its owner. Handlers must not throw. */
export interface PollerHandlers {
  /** New definitions arrived (HTTP 200). */
  onDefinitions(parsed: ParsedDefinitions): void
  /** The server answered 304 Not Modified to `If-None-Match`. */
  onNotModified(): void
  /** A load failed; `error.retryable` is false for statuses the retry policy does not retry (401, 403...). */
  onFailure(error: EventwireError, consecutiveFailures: number): void
  /** Loads have been failing for `staleAfterMs` since the last success. Once per stale period. */
  onStale(lastError: EventwireError | undefined, lastSuccessAt: number): void
  /** The first success after `onStale`. */
  onRecovered(): void
}

type LoadOutcome =
  | { parsed: ParsedDefinitions | undefined }
  | { error: EventwireError; retryAfterMs?: number | undefined }

/** Settings of a {@link DefinitionsPoller}. */
export interface PollerOptions {
  http: FlagsHttp
  clock: Clock
  policy: RetryPolicy
  logger: Logger
  pollingIntervalMs: number
  enablePolling: boolean
  staleAfterMs: number
}

/**
 * Loads `GET /flags/definitions` now and then every `pollingIntervalMs`, with `If-None-Match`
 * (the last ETag; a 304 keeps the definitions). A failure is retried after a jittered exponential
 * backoff from the retry policy (a 429's `Retry-After` wins); a status the policy does not retry
 * waits for the next regular poll. One request at a time; every timer runs on the injected clock.
 */
export class DefinitionsPoller {
  readonly #options: PollerOptions
  readonly #handlers: PollerHandlers
  #etag: string | undefined
  #timer: TimerHandle | undefined
  #staleTimer: TimerHandle | undefined
  #inflight: AbortController | undefined
  #stopped = false
  #failures = 0
  #lastSuccessAt: number | undefined
  #lastError: EventwireError | undefined
  #stale = false

  constructor(options: PollerOptions, handlers: PollerHandlers) {
    this.#options = options
    this.#handlers = handlers
  }

  /** Starts loading (the first request goes out at once). */
  start(): void {
    this.#run()
  }

  /** Stops polling and aborts a request in flight. */
  stop(): void {
    this.#stopped = true
    this.#timer?.cancel()
    this.#staleTimer?.cancel()
    this.#inflight?.abort()
  }

  async #poll(): Promise<void> {
    this.#timer = undefined
    if (this.#stopped) return
    const controller = new AbortController()
    this.#inflight = controller
    let outcome: LoadOutcome
    try {
      outcome = await this.#load(controller.signal)
    } catch (caught) {
      outcome = {
        error: isEventwireError(caught)
          ? caught
          : new FlagsError('EVENTWIRE_FLAGS_INVALID_DEFINITIONS', String(caught), { cause: caught }),
      }
    } finally {
      this.#inflight = undefined
    }
    if (this.#stopped) return
    // State and the next timer are settled before handlers run, so whoever reacts to an event
    // (a test stepping a fake clock, too) sees the poller's next step already scheduled.
    if ('error' in outcome) this.#failed(outcome.error, outcome.retryAfterMs)
    else this.#succeeded(outcome.parsed)
  }

  async #load(signal: AbortSignal): Promise<LoadOutcome> {
    const { http, policy, clock } = this.#options
    const headers = http.headers(this.#etag === undefined ? undefined : { 'if-none-match': this.#etag })
    const url = http.url('/flags/definitions')
    const res = await http.transport.send({ url, method: 'GET', headers, bodyBytes: 0 }, signal)
    if (res.status === 304 && this.#etag !== undefined) return { parsed: undefined }
    if (res.status >= 200 && res.status < 300) {
      const parsed = parseDefinitionsText(res.body)
      const etag = res.headers.etag
      this.#etag = typeof etag === 'string' && etag !== '' ? etag : undefined
      return { parsed }
    }
    const error = new DeliveryError('EVENTWIRE_HTTP_ERROR', http.describeFailure(res.status, res.body), {
      retryable: policy.isRetryableStatus(res.status),
    })
    return { error, retryAfterMs: parseRetryAfter(res.headers['retry-after'], clock.now()) }
  }

  #succeeded(parsed: ParsedDefinitions | undefined): void {
    const { clock, enablePolling, pollingIntervalMs } = this.#options
    this.#failures = 0
    this.#lastError = undefined
    this.#lastSuccessAt = clock.now()
    this.#staleTimer?.cancel()
    this.#staleTimer = undefined
    const recovered = this.#stale
    this.#stale = false
    if (enablePolling) this.#schedule(pollingIntervalMs)
    if (parsed === undefined) this.#handlers.onNotModified()
    else this.#handlers.onDefinitions(parsed)
    if (recovered) this.#handlers.onRecovered()
  }

  #failed(error: EventwireError, retryAfterMs: number | undefined): void {
    const { policy, pollingIntervalMs, logger } = this.#options
    this.#failures += 1
    this.#lastError = error
    logger.warn(
      { code: error.code, failures: this.#failures, err: error.message },
      'eventwire: loading flag definitions failed; the previous definitions stay in use',
    )
    // After a refusal (401, 403...) only a configuration change helps: wait for the regular poll.
    this.#schedule(error.retryable ? policy.delayMs(this.#failures, retryAfterMs) : pollingIntervalMs)
    this.#handlers.onFailure(error, this.#failures)
    this.#checkStale()
  }

  #checkStale(): void {
    if (this.#stale || this.#lastSuccessAt === undefined || this.#stopped) return
    const { clock, staleAfterMs } = this.#options
    const remaining = this.#lastSuccessAt + staleAfterMs - clock.now()
    if (remaining <= 0) {
      this.#stale = true
      this.#staleTimer?.cancel()
      this.#staleTimer = undefined
      this.#handlers.onStale(this.#lastError, this.#lastSuccessAt)
    } else if (this.#staleTimer === undefined) {
      this.#staleTimer = clock.setTimeout(() => {
        this.#staleTimer = undefined
        if (this.#failures > 0) this.#checkStale()
      }, remaining)
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return
    this.#timer = this.#options.clock.setTimeout(() => this.#run(), delayMs)
  }

  #run(): void {
    this.#poll().catch((error) => {
      // Handlers are written not to throw; if one does, polling must still go on.
      this.#options.logger.error({ err: error }, 'eventwire: flag definitions poll failed unexpectedly')
      if (this.#timer === undefined) this.#schedule(this.#options.pollingIntervalMs)
    })
  }
}
