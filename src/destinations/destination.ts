import type { EventwireError, RejectedMessage } from '../errors/index.js'
import { parseRetryAfter, type RetryPolicy } from '../internal/index.js'
import type { Endpoint, Message } from '../message/index.js'
import type { HttpRequest, HttpResponse } from '../transport/index.js'

/**
 * What one request did to each message of a batch. Every message of the batch appears in exactly
 * one of `delivered`, `rejected`, `retry` or `split`.
 */
export interface BatchOutcome {
  /** Acknowledged by the server. */
  readonly delivered: readonly Message[]
  /** Refused for good: never retried, dropped and reported. */
  readonly rejected: readonly RejectedMessage[]
  /** Worth another attempt. */
  readonly retry: readonly Message[]
  /** Why `retry` is not empty. */
  readonly retryError?: EventwireError
  /** The server asked to wait this long before the next request (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number
  /** The request was refused as too large as a whole (HTTP 413): send these in smaller requests. */
  readonly split: readonly Message[]
  /** HTTP status of the response, when one arrived. */
  readonly status?: number
}

/** Bytes a request body adds around its messages' JSON: see {@link Destination.framing}. */
export interface RequestFraming {
  /** Bytes of the body besides its messages, less one `perMessage`'s worth of separators. */
  readonly fixed: number
  /** Most bytes added per message (a separator, a stamp). */
  readonly perMessage: number
}

/** Most body bytes of a request carrying `count` messages of `bytes` JSON bytes in all. */
export function requestBytes(framing: RequestFraming, count: number, bytes: number): number {
  return framing.fixed + bytes + count * framing.perMessage
}

/**
 * Where messages go and in what format. A destination encodes a batch of messages of one kind
 * into one HTTP request, and classifies the response per message. It holds no state about
 * delivery; consumers own batching, retries and lifecycle.
 *
 * If `encode` throws, every message of the batch is rejected with that error (it would fail again).
 * If `classify` throws, the batch is retried under the retry policy.
 */
export interface Destination {
  /** A short name for logs and stats, e.g. `mixpanel`. */
  readonly name: string
  /** Most messages of `kind` one request may carry. */
  maxBatchSize(kind: Endpoint): number
  /** Most body bytes (before compression) one request may carry. */
  readonly maxRequestBytes: number
  /**
   * The size arithmetic of this destination's request bodies, so byte limits are exact: a request
   * of messages of `kind` is at most `fixed + Σ (message.bytes + perMessage)` bytes before
   * compression (brackets, separators, envelopes, per-attempt stamps).
   */
  framing(kind: Endpoint): RequestFraming
  /** Builds the request for a non-empty batch of messages of one kind. */
  encode(kind: Endpoint, messages: readonly Message[]): Promise<HttpRequest>
  /** Classifies a response for the batch that `encode` built. */
  classify(
    kind: Endpoint,
    messages: readonly Message[],
    response: HttpResponse,
    policy: RetryPolicy,
    now: number,
  ): BatchOutcome
}

/** An outcome where every message shares one fate. */
export function uniformOutcome(
  messages: readonly Message[],
  fate: 'delivered' | 'retry' | 'split',
  extra: { retryError?: EventwireError; retryAfterMs?: number; status?: number } = {},
): BatchOutcome {
  return {
    delivered: fate === 'delivered' ? messages : [],
    rejected: [],
    retry: fate === 'retry' ? messages : [],
    split: fate === 'split' ? messages : [],
    ...extra,
  }
}

/** An outcome where every message is refused for good with the same error. */
export function rejectedOutcome(
  messages: readonly Message[],
  error: EventwireError,
  reason: RejectedMessage['reason'] = 'rejected',
  status?: number,
): BatchOutcome {
  return {
    delivered: [],
    rejected: messages.map((message) => ({ message, reason, error })),
    retry: [],
    split: [],
    ...(status === undefined ? {} : { status }),
  }
}

/** What an HTTP status means for a batch: see {@link classifyStatus}. */
export type StatusVerdict = 'success' | 'retry' | 'split' | 'too_large' | 'reject'

/**
 * The one place that decides what an HTTP status means for a batch, before any body-specific
 * reading: success, retry (per the retry policy, which holds `customRetryCodes`, or the
 * destination's own defaults), split (413 with more than one message), or reject.
 */
export function classifyStatus(
  status: number,
  batchSize: number,
  policy: RetryPolicy,
  retryableByDefault?: (status: number) => boolean,
): StatusVerdict {
  if (status >= 200 && status <= 299) return 'success'
  if (status === 413 && !policy.hasCustomRule(413)) return batchSize > 1 ? 'split' : 'too_large'
  // `customRetryCodes` always win; otherwise a destination may have its own protocol's defaults.
  const retry =
    retryableByDefault === undefined || policy.hasCustomRule(status)
      ? policy.isRetryableStatus(status)
      : retryableByDefault(status)
  return retry ? 'retry' : 'reject'
}

/**
 * The outcome of a response, from its {@link classifyStatus} verdict: `success` delivers the batch,
 * `split` halves it, `retry` keeps it for another attempt (after the response's `Retry-After`),
 * `too_large` and `reject` refuse it for good. `error` makes the error the messages carry; it is
 * called only for `retry`, `too_large` and `reject`, and should be retryable only for `retry`.
 */
export function statusOutcome(
  verdict: StatusVerdict,
  messages: readonly Message[],
  response: HttpResponse,
  now: number,
  error: () => EventwireError,
): BatchOutcome {
  const { status } = response
  switch (verdict) {
    case 'success':
      return uniformOutcome(messages, 'delivered', { status })
    case 'split':
      return uniformOutcome(messages, 'split', { status })
    case 'retry':
      return uniformOutcome(messages, 'retry', {
        status,
        retryError: error(),
        retryAfterMs: parseRetryAfter(response.headers['retry-after'], now),
      })
    case 'too_large':
      return rejectedOutcome(messages, error(), 'too_large', status)
    case 'reject':
      return rejectedOutcome(messages, error(), 'rejected', status)
  }
}
