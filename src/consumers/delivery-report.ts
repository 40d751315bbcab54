import { type BatchOutcome, type Destination, MixpanelDestination } from '../destinations/index.js'
import {
  DeliveryError,
  type EventwireError,
  ImportError,
  isDeliveryCode,
  isEventwireError,
  MixpanelError,
  type RejectedMessage,
} from '../errors/index.js'
import type { Endpoint, Message } from '../message/index.js'

/** What became of a set of messages: delivered, refused for good, or not delivered (and why). */
export interface DeliveryReport {
  readonly delivered: readonly Message[]
  readonly rejected: readonly RejectedMessage[]
  /** Not delivered after the retries (or aborted); still worth sending later. */
  readonly undelivered: readonly Message[]
  /** Why `undelivered` is not empty. */
  readonly error: EventwireError | undefined
}

/**
 * A destination, or the name of one known only by name. Only a {@link MixpanelDestination} (known
 * by its class, never by a name another destination could take) makes `MixpanelError`s.
 */
export type DestinationRef = Destination | string

/** The destination's name, for messages and logs. */
export function destinationName(destination: DestinationRef): string {
  return typeof destination === 'string' ? destination : destination.name
}

/**
 * What a delivery error's message starts with: the endpoint for Mixpanel (its errors say Mixpanel
 * by their class), the destination's name and the endpoint for any other (`snowplow events`).
 */
export function deliverySubject(destination: DestinationRef, kind: Endpoint): string {
  return destination instanceof MixpanelDestination ? kind : `${destinationName(destination)} ${kind}`
}

/**
 * The error a caller sees for a delivery report that was not a full success: an `ImportError`
 * listing every refused record when that is all that went wrong, otherwise a `MixpanelError` for
 * Mixpanel's ingestion API, or a `DeliveryError` whose message starts with the destination's name
 * (`snowplow events: ...`) for any other destination; either carries the undelivered and rejected
 * messages. Undefined when everything was delivered.
 */
export function reportError(
  kind: Endpoint,
  report: DeliveryReport,
  destination: DestinationRef,
): EventwireError | undefined {
  if (report.undelivered.length === 0 && report.rejected.length === 0) return undefined
  if (report.undelivered.length === 0 && report.rejected.every((r) => r.error instanceof ImportError)) {
    const records = report.rejected.flatMap((r) => (r.error as ImportError).failedRecords)
    return new ImportError(records, report.delivered.length, { status: 400, rejected: report.rejected })
  }
  const first = report.error ?? report.rejected[0]?.error
  // A cause of another class (closed, refused at the entry...) is summed up as a delivery failure.
  const code = isDeliveryCode(first?.code) ? first.code : 'EVENTWIRE_DELIVERY_FAILED'
  const parts: string[] = []
  if (report.undelivered.length > 0) parts.push(`${report.undelivered.length} undelivered`)
  if (report.rejected.length > 0) parts.push(`${report.rejected.length} rejected`)
  const ErrorClass = destination instanceof MixpanelDestination ? MixpanelError : DeliveryError
  return new ErrorClass(
    code,
    `${deliverySubject(destination, kind)}: ${parts.join(', ')}${first ? `: ${first.message}` : ''}`,
    {
      endpoint: kind,
      status: first instanceof DeliveryError ? first.status : undefined,
      retryable: report.undelivered.length > 0 && (report.error?.retryable ?? true),
      cause: first,
      messages: report.undelivered,
      rejected: report.rejected,
    },
  )
}

/**
 * The error of a flush over `kinds` that did not fully succeed: one kind's `reportError`, or a
 * `DeliveryError` listing every kind's; undefined when everything was delivered.
 */
export function flushError(
  report: DeliveryReport,
  kinds: readonly Endpoint[],
  destination: DestinationRef,
): EventwireError | undefined {
  const errors: EventwireError[] = []
  for (const kind of kinds) {
    const mine = (m: Message) => m.kind === kind
    const error = reportError(
      kind,
      {
        delivered: report.delivered.filter(mine),
        rejected: report.rejected.filter((r) => r.message.kind === kind),
        undelivered: report.undelivered.filter(mine),
        error: report.undelivered.some(mine) ? report.error : undefined,
      },
      destination,
    )
    if (error !== undefined) errors.push(error)
  }
  if (errors.length <= 1) return errors[0]
  return new DeliveryError(
    'EVENTWIRE_DELIVERY_FAILED',
    `flush failed for ${errors.length} endpoints: ${errors.map((e) => e.message).join(' | ')}`,
    {
      retryable: errors.some((e) => e.retryable),
      cause: errors[0],
      messages: errors.flatMap((e) => (e instanceof DeliveryError ? e.messages : [])),
      rejected: errors.flatMap((e) => (e instanceof DeliveryError ? e.rejected : [])),
    },
  )
}

/** Why an outcome's `retry` messages were not delivered (a network error naming the destination if it does not say). */
export function retryCause(outcome: BatchOutcome, destination: DestinationRef): EventwireError {
  return (
    outcome.retryError ??
    new DeliveryError('EVENTWIRE_NETWORK_ERROR', `${destinationName(destination)}: delivery failed`, {
      retryable: true,
    })
  )
}

/**
 * `error` as an `EventwireError` about a delivery of `kind` to `destination` (wrapped as `cause`,
 * the destination named, when it is not one).
 */
export function asDeliveryError(error: unknown, kind: Endpoint, destination: DestinationRef): EventwireError {
  if (isEventwireError(error)) return error
  return new DeliveryError(
    'EVENTWIRE_DELIVERY_FAILED',
    `${deliverySubject(destination, kind)}: ${(error as Error)?.message ?? String(error)}`,
    { endpoint: kind, cause: error },
  )
}
