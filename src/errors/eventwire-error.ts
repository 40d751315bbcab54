import { redactPatterns } from '../internal/redact.js'
import type { ErrorCode } from './codes.js'

/** Options accepted by {@link EventwireError}. */
export interface EventwireErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
  /** Whether repeating the same operation may succeed. @default false */
  retryable?: boolean
}

/**
 * Base class of every error eventwire throws or rejects with. `code` is stable across versions
 * and listed in `docs/errors.md`; messages never contain secrets: URL passwords and
 * `Basic`/`Bearer` values are removed here, at construction, and the objects that hold
 * credentials remove their exact secrets from what they put in a message.
 */
export class EventwireError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean

  constructor(code: ErrorCode, message: string, options: EventwireErrorOptions = {}) {
    super(redactPatterns(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'EventwireError'
    this.code = code
    this.retryable = options.retryable ?? false
  }
}

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
 * conflicting with another, of the wrong type or out of range. `option` names it; `suggestion`
 * is the option probably meant, when one is close.
 */
export class ConfigError extends EventwireError {
  readonly option: string
  readonly suggestion: string | undefined

  constructor(option: string, message: string, options: ConfigErrorOptions = {}) {
    super('EVENTWIRE_INVALID_OPTION', options.unknown ? message : `Invalid option "${option}": ${message}`, {
      cause: options.cause,
    })
    this.name = 'ConfigError'
    this.option = option
    this.suggestion = options.suggestion
  }
}

/**
 * Rejects one tracking call whose input cannot become a valid message. `path` points at the
 * offending property (e.g. `properties.cart.items[3]`) where one applies.
 */
export class ValidationError extends EventwireError {
  readonly path: string | undefined

  constructor(code: ErrorCode, message: string, path?: string) {
    super(code, path === undefined ? message : `${message} (at ${path})`)
    this.name = 'ValidationError'
    this.path = path
  }
}

/** True when `value` is an {@link EventwireError} (also across duplicated package copies). */
export function isEventwireError(value: unknown): value is EventwireError {
  if (value instanceof EventwireError) return true
  const code = value instanceof Error ? (value as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('EVENTWIRE_')
}
