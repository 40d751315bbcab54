import { checkOptions, intOption, optionList } from '../internal/index.js'
import type { DropReason, Endpoint, Message } from '../message/index.js'

/** What `close()` reports: how many messages met each fate over the consumer's life. */
export interface CloseResult {
  /** Messages acknowledged by the destination. */
  sent: number
  /** Messages whose delivery failed (retries exhausted, or aborted at the deadline) and were not kept. */
  failed: number
  /** Messages dropped for a reason (refused by the server, too large, queue full...). */
  dropped: number
  /** Messages still waiting (buffered or in a store) when close() resolved. */
  pending: number
}

/** Options of `close()`. */
export interface CloseOptions {
  /**
   * Longest time to wait for delivery before aborting in-flight requests, in milliseconds.
   * @default 10000
   */
  timeoutMs?: number
  /** Aborting it ends the wait at once, as reaching `timeoutMs` does (close still resolves). */
  signal?: AbortSignal
}

/** Defaults of {@link CloseOptions}. */
export const CLOSE_DEFAULTS = { timeoutMs: 10_000 } as const

/** The names of {@link CloseOptions}. */
export const CLOSE_OPTIONS = optionList<CloseOptions>()({ timeoutMs: true, signal: true })

/**
 * The deadline of a `close()` call, in milliseconds, once its options are checked whole.
 * @throws {ConfigError} for an unknown key (naming the option meant) or a bad `timeoutMs`.
 */
export function closeTimeoutMs(options: CloseOptions, owner: string): number {
  checkOptions(options, CLOSE_OPTIONS, owner)
  return intOption('timeoutMs', options.timeoutMs, CLOSE_DEFAULTS.timeoutMs, 0)
}

/** Options of `flush()`. */
export interface FlushOptions {
  /**
   * Aborting it rejects the flush with the signal's reason at once; delivery goes on (a later
   * `flush()` or `close()` still waits for it).
   */
  signal?: AbortSignal
}

/**
 * Decides when messages are sent. The client hands every message to a consumer; eventwire ships
 * `Consumer` (one request per call), `BufferedConsumer` (manual flush) and `BatchConsumer`
 * (background). Write your own by implementing this interface.
 *
 * Contract: `send` rejects with an `EventwireError` when it cannot accept or deliver a message
 * (`EVENTWIRE_UNKNOWN_ENDPOINT` for a bad endpoint, `EVENTWIRE_CLOSED` after close); it must not
 * throw synchronously. If a custom consumer's `send` throws or rejects, the client rejects that
 * one call with the same error.
 */
export interface EventConsumer {
  /**
   * Accepts one message, or several for the same endpoint. Build messages handed over directly
   * with `createMessage()`: eventwire's consumers rebuild any other object once, as they take it,
   * and refuse one that has neither a JSON object's text as `json` nor a `body` object
   * (`EVENTWIRE_INVALID_PROPERTY`, dropped as `rejected`).
   */
  send(endpoint: Endpoint, message: Message | readonly Message[]): Promise<void>
  /** Resolves when everything accepted before the call is acknowledged or finally failed. */
  flush(): Promise<void>
  /** Stops intake, drains, and resolves with what happened. Idempotent. */
  close(options?: CloseOptions): Promise<CloseResult>
  /**
   * Counts and reports messages dropped before they reached the consumer (e.g. by the tracking
   * plan, reason `plan_violation`), so every loss shows up in one place: the consumer's stats,
   * `drop` event and `onDrop` callback. Optional for custom consumers; must not throw.
   */
  drop?(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void
}

/** Notifications every eventwire consumer emits. */
export interface ConsumerEvents {
  /** A request is about to be sent (seed LogEvent). Headers never include credentials. */
  request: {
    destination: string
    endpoint: Endpoint
    url: string
    method: string
    headers: Record<string, string>
    bodyBytes: number
    messageCount: number
  }
  /** Messages were acknowledged. */
  success: { endpoint: Endpoint; messages: readonly Message[]; status: number | undefined }
  /** A batch will be retried after `delayMs`. */
  retry: {
    endpoint: Endpoint
    attempt: number
    delayMs: number
    status: number | undefined
    error: Error
    messageCount: number
  }
  /** Messages were dropped for good. */
  drop: {
    endpoint: Endpoint
    reason: DropReason
    count: number
    messages: readonly Message[]
    error: Error | undefined
  }
  /** A delivery failed after its retries; the messages are kept (buffered consumers) or reported failed. */
  failure: { endpoint: Endpoint; error: Error; messages: readonly Message[] }
}

/**
 * Counters every eventwire consumer keeps. Every message handed to the consumer ends in exactly
 * one place: `accepted = sent + failed + (dropped total − failed) + pending`, where `failed`
 * messages are also counted in `dropped.retries_exhausted`.
 */
export interface ConsumerStats {
  /** Messages handed to the consumer (`send()` and `drop()`), whatever became of them. */
  accepted: number
  /** Messages acknowledged by the destination. */
  sent: number
  /** Messages whose retries ran out (also counted in `dropped.retries_exhausted`). */
  failed: number
  /** Message retries scheduled. */
  retried: number
  /** Requests sent. */
  requests: number
  /** Body bytes of the requests that delivered messages (before compression). */
  bytesSent: number
  /** Messages dropped, by reason. */
  dropped: Record<DropReason, number>
}

/** A zeroed {@link ConsumerStats}. */
export function emptyStats(): ConsumerStats {
  return {
    accepted: 0,
    sent: 0,
    failed: 0,
    retried: 0,
    requests: 0,
    bytesSent: 0,
    dropped: {
      rejected: 0,
      too_large: 0,
      retries_exhausted: 0,
      queue_full: 0,
      plan_violation: 0,
      closed: 0,
      store_failed: 0,
      corrupt: 0,
    },
  }
}

/** Total of a stats object's drop counters. */
export function totalDropped(stats: ConsumerStats): number {
  let total = 0
  for (const count of Object.values(stats.dropped)) total += count
  return total
}
