import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

/**
 * Rejects one call whose input cannot become a valid message: `EVENTWIRE_INVALID_ARGUMENT`,
 * `EVENTWIRE_INVALID_PROPERTY`, `EVENTWIRE_LIMIT_EXCEEDED`, `EVENTWIRE_INVALID_INSERT_ID`,
 * `EVENTWIRE_FORBIDDEN_DISTINCT_ID` or `EVENTWIRE_SNOWPLOW_NO_SCHEMA`. `path` points at the offending property (e.g.
 * `properties.cart.items[3]`) where one applies.
 */
export class ValidationError extends EventwireError {
  declare readonly code: CodeOf<'ValidationError'>
  readonly path: string | undefined

  constructor(
    code: CodeOf<'ValidationError'>,
    message: string,
    path?: string,
    options: { cause?: unknown } = {},
  ) {
    super(code, path === undefined ? message : `${message} (at ${path})`, options)
    this.name = 'ValidationError'
    this.path = path
  }
}
