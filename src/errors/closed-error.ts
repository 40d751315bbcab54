import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

const CODE: CodeOf<'ClosedError'> = 'EVENTWIRE_CLOSED'

/**
 * A call made after `close()` (of a consumer, a store, a transport): nothing was accepted. Code
 * `EVENTWIRE_CLOSED`; a consumer counts the message as dropped with reason `closed`.
 */
export class ClosedError extends EventwireError {
  declare readonly code: CodeOf<'ClosedError'>

  /** @param message What is closed. @default 'The consumer is closed: the message was not accepted' */
  constructor(
    message = 'The consumer is closed: the message was not accepted',
    options: { cause?: unknown } = {},
  ) {
    super(CODE, message, options)
    this.name = 'ClosedError'
  }
}
