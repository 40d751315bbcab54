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
 * and listed in `docs/errors.md`; messages never contain secrets.
 */
export class EventwireError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean

  constructor(code: ErrorCode, message: string, options: EventwireErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'EventwireError'
    this.code = code
    this.retryable = options.retryable ?? false
  }
}

/** Thrown at construction when an option is invalid; names the option and the allowed range. */
export class ConfigError extends EventwireError {
  readonly option: string

  constructor(option: string, message: string) {
    super('EVENTWIRE_INVALID_OPTION', `Invalid option "${option}": ${message}`)
    this.name = 'ConfigError'
    this.option = option
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
