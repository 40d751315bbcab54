import type { DropReason, Message } from '../message/index.js'
import type { ErrorCode } from './codes.js'
import { EventwireError } from './eventwire-error.js'

/** A message a destination refused for good, with the reason it is counted under. */
export interface RejectedMessage {
  readonly message: Message
  readonly reason: DropReason
  readonly error: EventwireError
}

/** Options of {@link DeliveryError}. */
export interface DeliveryErrorOptions {
  /** The endpoint (`events`, `people`, `groups`, `imports`) or destination name. */
  endpoint?: string
  /** HTTP status of the last response, if one arrived. */
  status?: number
  retryable?: boolean
  cause?: unknown
  /** Messages not delivered and still worth retrying (kept by buffering consumers). */
  messages?: readonly Message[]
  /** Messages refused for good (dropped, counted, reported). */
  rejected?: readonly RejectedMessage[]
}

/**
 * A delivery failed: the server refused the request, or it never answered. Carries the endpoint,
 * the HTTP status, whether a retry may help, and the messages concerned. Never contains secrets.
 */
export class DeliveryError extends EventwireError {
  readonly endpoint: string | undefined
  readonly status: number | undefined
  /** Messages that were not delivered and were not refused for good. */
  readonly messages: readonly Message[]
  /** Messages refused for good. */
  readonly rejected: readonly RejectedMessage[]

  constructor(code: ErrorCode, message: string, options: DeliveryErrorOptions = {}) {
    super(code, message, { cause: options.cause, retryable: options.retryable ?? false })
    this.name = 'DeliveryError'
    this.endpoint = options.endpoint
    this.status = options.status
    this.messages = options.messages ?? []
    this.rejected = options.rejected ?? []
  }
}

/** A delivery to Mixpanel's ingestion API failed. */
export class MixpanelError extends DeliveryError {
  constructor(code: ErrorCode, message: string, options: DeliveryErrorOptions = {}) {
    super(code, message, options)
    this.name = 'MixpanelError'
  }
}

/** One record `/import?strict=1` refused, as reported in `failed_records`. */
export interface FailedRecord {
  /** Position of the record in the request. */
  readonly index: number
  /** The record's `$insert_id`. */
  readonly insertId: string | undefined
  /** The offending field, as named by the server. */
  readonly field: string | undefined
  /** The server's explanation. */
  readonly message: string
  /** The refused message itself, when it could be matched. */
  readonly record: Message | undefined
}

/**
 * `/import` refused some records of a request. The others were ingested; `failedRecords` names each
 * refused one. Code `EVENTWIRE_IMPORT_FAILED_RECORDS`.
 */
export class ImportError extends MixpanelError {
  readonly failedRecords: readonly FailedRecord[]
  /** Records the server reports as imported. */
  readonly imported: number

  constructor(failedRecords: readonly FailedRecord[], imported: number, options: DeliveryErrorOptions = {}) {
    const first = failedRecords
      .slice(0, 3)
      .map(
        (r) =>
          `#${r.index}${r.insertId ? ` ($insert_id ${r.insertId})` : ''}${r.field ? ` ${r.field}` : ''}: ${r.message}`,
      )
      .join('; ')
    const more = failedRecords.length > 3 ? `; and ${failedRecords.length - 3} more` : ''
    super(
      'EVENTWIRE_IMPORT_FAILED_RECORDS',
      `/import refused ${failedRecords.length} record(s): ${first}${more}`,
      {
        ...options,
        endpoint: 'imports',
      },
    )
    this.name = 'ImportError'
    this.failedRecords = failedRecords
    this.imported = imported
  }
}
