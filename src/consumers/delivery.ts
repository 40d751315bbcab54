import type { BatchOutcome, Destination } from '../destinations/index.js'
import {
  DeliveryError,
  EventwireError,
  ImportError,
  isEventwireError,
  MixpanelError,
  type RejectedMessage,
} from '../errors/index.js'
import {
  type Clock,
  type DropReason,
  type Endpoint,
  type Logger,
  type Message,
  type RetryPolicy,
  TypedEmitter,
} from '../internal/index.js'
import { describeTarget, type HttpTransport } from '../transport/index.js'
import type { ConsumerEvents, ConsumerStats } from './consumer.js'
import { emptyStats } from './consumer.js'
import type { DeliveryParts } from './delivery-options.js'

/** What delivering one set of messages (with retries and 413 splits) came to. */
export interface DeliveryReport {
  readonly delivered: Message[]
  readonly rejected: RejectedMessage[]
  /** Not delivered after the retries (or aborted); still worth sending later. */
  readonly undelivered: Message[]
  /** Why `undelivered` is not empty. */
  readonly error: EventwireError | undefined
}

/**
 * The delivery engine shared by every consumer: one attempt (encode → transport → classify), and
 * the retry loop with backoff, `Retry-After` and 413 splitting. Keeps the stats and emits the
 * notifications. Consumers decide only when to call it.
 */
export class Delivery {
  readonly destination: Destination
  readonly transport: HttpTransport
  readonly policy: RetryPolicy
  readonly clock: Clock
  readonly logger: Logger
  readonly events: TypedEmitter<ConsumerEvents>
  readonly stats: ConsumerStats = emptyStats()

  constructor(parts: DeliveryParts) {
    this.destination = parts.destination
    this.transport = parts.transport
    this.policy = parts.policy
    this.clock = parts.clock
    this.logger = parts.logger
    this.events = new TypedEmitter<ConsumerEvents>((error, event) =>
      this.logger.error({ err: error, event }, 'eventwire: an event listener threw'),
    )
  }

  /** Splits messages into request-sized chunks (count and bytes). */
  chunk(
    kind: Endpoint,
    messages: readonly Message[],
    maxCount = this.destination.maxBatchSize(kind),
  ): Message[][] {
    const limitBytes = this.destination.maxRequestBytes
    const chunks: Message[][] = []
    let current: Message[] = []
    let bytes = 2
    for (const message of messages) {
      if (current.length > 0 && (current.length >= maxCount || bytes + message.bytes + 1 > limitBytes)) {
        chunks.push(current)
        current = []
        bytes = 2
      }
      current.push(message)
      bytes += message.bytes + 1
    }
    if (current.length > 0) chunks.push(current)
    return chunks
  }

  /** One request for one batch. Never throws: every failure becomes an outcome. */
  async attempt(kind: Endpoint, messages: readonly Message[], signal?: AbortSignal): Promise<BatchOutcome> {
    let request: Awaited<ReturnType<Destination['encode']>>
    try {
      request = await this.destination.encode(kind, messages)
    } catch (error) {
      const err = asEventwireError(error, kind)
      return {
        delivered: [],
        rejected: messages.map((message) => ({ message, reason: 'rejected' as const, error: err })),
        retry: [],
        split: [],
      }
    }
    if (this.events.listenerCount('request') > 0) {
      this.events.emit('request', {
        destination: this.destination.name,
        endpoint: kind,
        url: describeTarget(request).slice(request.method.length + 1),
        method: request.method,
        headers: redactHeaders(request.headers),
        bodyBytes: request.bodyBytes,
        messageCount: messages.length,
      })
    }
    this.stats.requests++
    let outcome: BatchOutcome
    try {
      const response = await this.transport.send(request, signal)
      outcome = this.destination.classify(kind, messages, response, this.policy, this.clock.now())
    } catch (error) {
      const err = asEventwireError(error, kind)
      return { delivered: [], rejected: [], retry: messages, split: [], retryError: err }
    }
    if (outcome.delivered.length > 0) {
      this.stats.sent += outcome.delivered.length
      this.stats.bytesSent += request.bodyBytes
      this.events.emit('success', { endpoint: kind, messages: outcome.delivered, status: outcome.status })
    }
    if (outcome.rejected.length > 0) this.reportRejected(kind, outcome.rejected)
    return outcome
  }

  /**
   * Delivers `messages` (one kind) in request-sized chunks, retrying per the policy and splitting
   * on 413. Resolves with what happened; never rejects.
   */
  async deliver(kind: Endpoint, messages: readonly Message[], signal?: AbortSignal): Promise<DeliveryReport> {
    const report: DeliveryReport = { delivered: [], rejected: [], undelivered: [], error: undefined }
    const queue = this.chunk(kind, this.#writable(kind, messages, report))
    let error: EventwireError | undefined
    while (queue.length > 0) {
      let batch: readonly Message[] = queue.shift()!
      if (signal?.aborted) {
        report.undelivered.push(...batch)
        continue
      }
      for (let retry = 0; ; retry++) {
        const outcome = await this.attempt(kind, batch, signal)
        report.delivered.push(...outcome.delivered)
        report.rejected.push(...outcome.rejected)
        if (outcome.split.length > 0) {
          const half = Math.ceil(outcome.split.length / 2)
          queue.unshift(outcome.split.slice(0, half), outcome.split.slice(half))
        }
        if (outcome.retry.length === 0) break
        const cause = retryCause(outcome)
        if (retry >= this.policy.retryLimit || signal?.aborted || !cause.retryable) {
          report.undelivered.push(...outcome.retry)
          error = cause
          break
        }
        const delayMs = this.policy.delayMs(retry + 1, outcome.retryAfterMs)
        this.reportRetry(kind, retry + 1, delayMs, outcome, outcome.retry.length)
        try {
          await this.clock.sleep(delayMs, signal)
        } catch {
          report.undelivered.push(...outcome.retry)
          error = cause
          break
        }
        batch = outcome.retry
      }
    }
    return { ...report, error }
  }

  /**
   * The messages whose JSON can be written (reading `json` and `bytes` writes a draft's). The
   * others are refused for good as `rejected` and reported, so that one of them does not fail the
   * request of the rest.
   */
  #writable(kind: Endpoint, messages: readonly Message[], report: DeliveryReport): readonly Message[] {
    let kept: Message[] | undefined
    const refused: RejectedMessage[] = []
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!
      try {
        jsonSize(message)
        kept?.push(message)
      } catch (error) {
        kept ??= messages.slice(0, i)
        refused.push({ message, reason: 'rejected', error: unwritableError(message, error) })
      }
    }
    if (refused.length === 0) return messages
    report.rejected.push(...refused)
    this.reportRejected(kind, refused)
    return kept!
  }

  /**
   * Counts, emits (`retry`) and logs a retry of `count` messages of `outcome`, scheduled
   * `delayMs` from now as retry number `attempt` (1-based).
   */
  reportRetry(kind: Endpoint, attempt: number, delayMs: number, outcome: BatchOutcome, count: number): void {
    this.stats.retried += count
    this.events.emit('retry', {
      endpoint: kind,
      attempt,
      delayMs,
      status: outcome.status,
      error: retryCause(outcome),
      messageCount: count,
    })
    this.logger.debug({ endpoint: kind, attempt, delayMs, status: outcome.status }, 'eventwire: retrying')
  }

  /** Counts and reports messages dropped before they reached the consumer (`EventConsumer.drop`). */
  reportDropped(endpoint: Endpoint, messages: readonly Message[], reason: DropReason, error?: Error): void {
    const cause =
      error instanceof EventwireError
        ? error
        : new EventwireError('EVENTWIRE_DELIVERY_FAILED', error?.message ?? reason)
    this.reportRejected(
      endpoint,
      messages.map((message) => ({ message, reason, error: cause })),
    )
  }

  /** Counts and reports messages refused for good. */
  reportRejected(kind: Endpoint, rejected: readonly RejectedMessage[]): void {
    const byReason = new Map<RejectedMessage['reason'], RejectedMessage[]>()
    for (const item of rejected) {
      const list = byReason.get(item.reason)
      if (list === undefined) byReason.set(item.reason, [item])
      else list.push(item)
    }
    for (const [reason, items] of byReason) {
      this.stats.dropped[reason] += items.length
      const error = items[0]?.error
      this.events.emit('drop', {
        endpoint: kind,
        reason,
        count: items.length,
        messages: items.map((i) => i.message),
        error,
      })
      this.logger.warn(
        { endpoint: kind, reason, count: items.length, err: error },
        'eventwire: messages dropped',
      )
    }
  }

  /** Records a failure after retries: counted, logged and emitted. */
  reportFailure(kind: Endpoint, error: EventwireError, messages: readonly Message[]): void {
    this.events.emit('failure', { endpoint: kind, error, messages })
    this.logger.error({ endpoint: kind, count: messages.length, err: error }, 'eventwire: delivery failed')
  }
}

/**
 * The error a caller sees for a delivery report that was not a full success: an `ImportError`
 * listing every refused record when that is all that went wrong, otherwise a `DeliveryError`
 * carrying the undelivered and rejected messages. Undefined when everything was delivered.
 */
export function reportError(
  kind: Endpoint,
  report: DeliveryReport,
  destination = 'mixpanel',
): EventwireError | undefined {
  if (report.undelivered.length === 0 && report.rejected.length === 0) return undefined
  if (report.undelivered.length === 0 && report.rejected.every((r) => r.error instanceof ImportError)) {
    const records = report.rejected.flatMap((r) => (r.error as ImportError).failedRecords)
    return new ImportError(records, report.delivered.length, { status: 400, rejected: report.rejected })
  }
  const first = report.error ?? report.rejected[0]?.error
  const code = first?.code ?? 'EVENTWIRE_DELIVERY_FAILED'
  const parts: string[] = []
  if (report.undelivered.length > 0) parts.push(`${report.undelivered.length} undelivered`)
  if (report.rejected.length > 0) parts.push(`${report.rejected.length} rejected`)
  const ErrorClass = destination === 'mixpanel' ? MixpanelError : DeliveryError
  return new ErrorClass(code, `${kind}: ${parts.join(', ')}${first ? `: ${first.message}` : ''}`, {
    endpoint: kind,
    status: first instanceof DeliveryError ? first.status : undefined,
    retryable: report.undelivered.length > 0 && (report.error?.retryable ?? true),
    cause: first,
    messages: report.undelivered,
    rejected: report.rejected,
  })
}

/** Why an outcome's `retry` messages were not delivered (a generic network error if it does not say). */
/**
 * The UTF-8 size of a message's JSON, written first if the message is a draft. Throws when the
 * message has no JSON text or no valid size (a hand-made message can have neither).
 */
export function jsonSize(message: Message): number {
  const json = message.json
  const bytes = message.bytes
  if (typeof json !== 'string' || !Number.isInteger(bytes) || bytes < 0) {
    throw new TypeError(`its json is ${typeof json} and its bytes ${String(bytes)}`)
  }
  return bytes
}

/** The error of a message whose JSON could not be written (`EVENTWIRE_INVALID_PROPERTY`). */
export function unwritableError(message: Message, error: unknown): EventwireError {
  return new EventwireError(
    'EVENTWIRE_INVALID_PROPERTY',
    `a ${message.kind} message's JSON could not be written: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  )
}

export function retryCause(outcome: BatchOutcome): EventwireError {
  return (
    outcome.retryError ?? new MixpanelError('EVENTWIRE_NETWORK_ERROR', 'delivery failed', { retryable: true })
  )
}

function asEventwireError(error: unknown, kind: Endpoint): EventwireError {
  if (isEventwireError(error)) return error
  return new DeliveryError(
    'EVENTWIRE_DELIVERY_FAILED',
    `${kind}: ${(error as Error)?.message ?? String(error)}`,
    {
      endpoint: kind,
      cause: error,
    },
  )
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key'])

/** A copy of `headers` with credentials replaced by `[redacted]`. */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers))
    out[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value
  return out
}
