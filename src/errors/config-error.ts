import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

const CODE: CodeOf<'ConfigError'> = 'EVENTWIRE_INVALID_OPTION'

/** Details of a {@link ConfigError}. */
export interface ConfigErrorOptions {
  /** The option meant, for an unknown or misspelt one. */
  suggestion?: string
  /** The option is not one the object knows: `message` is the whole message. */
  unknown?: boolean
  cause?: unknown
}

/**
 * Thrown at construction when an option is invalid: unknown (misspelt, or another SDK's name),
 * conflicting with another, of the wrong type or out of range. Code `EVENTWIRE_INVALID_OPTION`.
 * `option` names it; `suggestion` is the option probably meant, when one is close.
 */
export class ConfigError extends EventwireError {
  readonly option: string
  readonly suggestion: string | undefined

  constructor(option: string, message: string, options: ConfigErrorOptions = {}) {
    super(CODE, options.unknown ? message : `Invalid option "${option}": ${message}`, {
      cause: options.cause,
    })
    this.name = 'ConfigError'
    this.option = option
    this.suggestion = options.suggestion
  }
}
