import type { CodeOf } from './codes.js'
import { EventwireError, type EventwireErrorOptions } from './eventwire-error.js'

/**
 * Flag definitions could not be used: `EVENTWIRE_FLAGS_INVALID_DEFINITIONS` (not
 * `{ "flags": [...] }` JSON) or `EVENTWIRE_FLAGS_UNAVAILABLE` (`ready()` rejected). Flag
 * evaluation itself never throws.
 */
export class FlagsError extends EventwireError {
  declare readonly code: CodeOf<'FlagsError'>

  constructor(code: CodeOf<'FlagsError'>, message: string, options: EventwireErrorOptions = {}) {
    super(code, message, options)
    this.name = 'FlagsError'
  }
}
