import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

/**
 * A bulk operation (import, profile sync, clean-up) cannot go on: `EVENTWIRE_INPUT_UNREADABLE`,
 * `EVENTWIRE_CHECKPOINT_MISMATCH`, `EVENTWIRE_UNSAFE_DELETE`, or `EVENTWIRE_BULK_INCOMPLETE`
 * (what the CLI reports when records were left without a final outcome).
 */
export class BulkError extends EventwireError {
  declare readonly code: CodeOf<'BulkError'>

  constructor(code: CodeOf<'BulkError'>, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.name = 'BulkError'
  }
}
