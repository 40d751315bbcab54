import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

const CODE: CodeOf<'ConsumerError'> = 'EVENTWIRE_CONSUMER_FAILED'

/**
 * A consumer you wrote threw or rejected with something that is not an `EventwireError`. Code
 * `EVENTWIRE_CONSUMER_FAILED`; `cause` is what it threw.
 */
export class ConsumerError extends EventwireError {
  declare readonly code: CodeOf<'ConsumerError'>

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(CODE, message, options)
    this.name = 'ConsumerError'
  }
}
