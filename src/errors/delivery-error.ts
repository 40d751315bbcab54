import type { DropReason, Message } from '../message/index.js'
import { type CodeOf, ERROR_CLASSES, type ErrorCode } from './codes.js'
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
 * A delivery failed: the server refused the request or never answered (`EVENTWIRE_NETWORK_ERROR`,
 * `EVENTWIRE_TIMEOUT`, `EVENTWIRE_ABORTED`, `EVENTWIRE_HTTP_ERROR`, `EVENTWIRE_API_ERROR`), or
 * messages were dropped on their way (`EVENTWIRE_QUEUE_FULL`, `EVENTWIRE_MESSAGE_TOO_LARGE`,
 * `EVENTWIRE_RETRIES_EXHAUSTED`, `EVENTWIRE_STORE_FAILED`), or they were for an endpoint there is
 * no way to (`EVENTWIRE_UNKNOWN_ENDPOINT`), or a flush or call sums up several
 * (`EVENTWIRE_DELIVERY_FAILED`). Carries the endpoint, the HTTP status, whether a retry may help,
 * and the messages concerned. Never contains secrets.
 */
export class DeliveryError extends EventwireError {
  declare readonly code: CodeOf<'DeliveryError'> | CodeOf<'ImportError'>
  readonly endpoint: string | undefined
  readonly status: number | undefined
  /** Messages that were not delivered and were not refused for good. */
  readonly messages: readonly Message[]
  /** Messages refused for good. */
  readonly rejected: readonly RejectedMessage[]

  constructor(code: CodeOf<'DeliveryError'>, message: string, options: DeliveryErrorOptions = {}) {
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
  constructor(code: CodeOf<'DeliveryError'>, message: string, options: DeliveryErrorOptions = {}) {
    super(code, message, options)
    this.name = 'MixpanelError'
  }
}

const IMPORT_CODE: CodeOf<'ImportError'> = 'EVENTWIRE_IMPORT_FAILED_RECORDS'

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
  declare readonly code: CodeOf<'ImportError'>
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
      // Bound to ImportError alone: the public constructors above take only delivery codes.
      IMPORT_CODE as CodeOf<'DeliveryError'>,
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

/** True when `code` is one a {@link DeliveryError} is built with. */
export function isDeliveryCode(code: ErrorCode | undefined): code is CodeOf<'DeliveryError'> {
  return code !== undefined && ERROR_CLASSES[code] === 'DeliveryError'
}
