import { EventwireError } from '../errors/index.js'

/** What the App API errors carry besides their message. */
export interface AppApiErrorOptions {
  /** HTTP status of the refusing answer, when one arrived. */
  status?: number
  retryable?: boolean
  cause?: unknown
}

/** The Lexicon Schemas API refused a request. Code `EVENTWIRE_LEXICON_ERROR`. Never contains the secret. */
export class LexiconError extends EventwireError {
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined

  constructor(message: string, options: AppApiErrorOptions = {}) {
    super('EVENTWIRE_LEXICON_ERROR', message, { cause: options.cause, retryable: options.retryable ?? false })
    this.name = 'LexiconError'
    this.status = options.status
  }
}

/** The GDPR API refused a request. Code `EVENTWIRE_GDPR_API_ERROR`; `status` is the HTTP status. */
export class GdprApiError extends EventwireError {
  /** HTTP status of the refusing answer, when one arrived. */
  readonly status: number | undefined

  constructor(message: string, options: AppApiErrorOptions = {}) {
    super('EVENTWIRE_GDPR_API_ERROR', message, { retryable: options.retryable, cause: options.cause })
    this.name = 'GdprApiError'
    this.status = options.status
  }
}
