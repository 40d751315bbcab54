import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

const LEXICON_CODE: CodeOf<'LexiconError'> = 'EVENTWIRE_LEXICON_ERROR'
const GDPR_CODE: CodeOf<'GdprApiError'> = 'EVENTWIRE_GDPR_API_ERROR'

/** The Lexicon Schemas API refused a request. Code `EVENTWIRE_LEXICON_ERROR`. Never contains the secret. */
export class LexiconError extends EventwireError {
  declare readonly code: CodeOf<'LexiconError'>
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined

  constructor(message: string, options: { status?: number; cause?: unknown; retryable?: boolean } = {}) {
    super(LEXICON_CODE, message, { cause: options.cause, retryable: options.retryable ?? false })
    this.name = 'LexiconError'
    this.status = options.status
  }
}

/** The GDPR API refused a request. Code `EVENTWIRE_GDPR_API_ERROR`; `status` is the HTTP status. */
export class GdprApiError extends EventwireError {
  declare readonly code: CodeOf<'GdprApiError'>
  /** HTTP status of the refusing answer, when one arrived. */
  readonly status: number | undefined

  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super(GDPR_CODE, message, { retryable: options.retryable, cause: options.cause })
    this.name = 'GdprApiError'
    this.status = options.status
  }
}
