import { type Clock, KeepAlive, parseRetryAfter, type RetryPolicy } from '../internal/index.js'
import type { HttpRequest, HttpResponse, Transport } from './transport.js'

/** How {@link sendWithRetries} retries. */
export interface RetryLoopOptions {
  readonly policy: RetryPolicy
  readonly clock: Clock
  /** Aborts the request in flight and any wait; the last failure is then returned or thrown. */
  readonly signal?: AbortSignal
  /** Runs before every attempt (an API's rate limit). */
  before?(): Promise<void>
  /** A `Retry-After` longer than this ends the retries: the answer is returned at once. @default no limit */
  readonly maxRetryAfterMs?: number
  /** Told of every retry, before its wait: `retry` is 1 for the first. */
  onRetry?(retry: number, delayMs: number, reason: string): void
}

/**
 * The request loop of eventwire's request/response APIs (the App API, flags): sends the request
 * made by `build` (called per attempt, so headers such as a trace id are fresh), retrying per the
 * retry policy — network errors marked retryable, and the statuses the policy retries (408, 425,
 * 429, 5xx and `customRetryCodes`), after the policy's jittered backoff or the server's
 * `Retry-After`. Resolves with the final response (a success, a status not retried, or the last
 * one when retries ran out); rejects with the last network error.
 */
export function sendWithRetries(
  transport: Transport,
  build: () => HttpRequest,
  options: RetryLoopOptions,
): Promise<HttpResponse> {
  // Awaited by its caller while backoffs run on unref'd timers: the process must not exit meanwhile.
  return keepAlive.during(loop(transport, build, options))
}

const keepAlive = new KeepAlive()

async function loop(
  transport: Transport,
  build: () => HttpRequest,
  options: RetryLoopOptions,
): Promise<HttpResponse> {
  const { policy, clock, signal } = options
  for (let retry = 1; ; retry++) {
    await options.before?.()
    const last = retry > policy.retryLimit || signal?.aborted === true
    let response: HttpResponse
    try {
      response = await transport.send(build(), signal)
    } catch (error) {
      const retryable = (error as { retryable?: unknown })?.retryable === true
      if (last || !retryable) throw error
      if (!(await wait(options, retry, policy.delayMs(retry), (error as Error).message))) throw error
      continue
    }
    if ((response.status >= 200 && response.status < 300) || last) return response
    if (!policy.isRetryableStatus(response.status)) return response
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], clock.now())
    if (retryAfterMs !== undefined && retryAfterMs > (options.maxRetryAfterMs ?? Number.POSITIVE_INFINITY)) {
      return response
    }
    const delayMs = policy.delayMs(retry, retryAfterMs)
    if (!(await wait(options, retry, delayMs, `HTTP ${response.status}`))) return response
  }
}

/** Waits before retry number `retry`; false when the signal aborted the wait. */
async function wait(
  options: RetryLoopOptions,
  retry: number,
  delayMs: number,
  reason: string,
): Promise<boolean> {
  options.onRetry?.(retry, delayMs, reason)
  try {
    await options.clock.sleep(delayMs, options.signal)
    return true
  } catch {
    return false
  }
}
