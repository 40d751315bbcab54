import type { ErrorCode } from './codes.js'
import { redactPatterns } from './redact-patterns.js'

/** Options accepted by {@link EventwireError}. */
export interface EventwireErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown
  /** Whether repeating the same operation may succeed. @default false */
  retryable?: boolean
}

/**
 * Base class of every error eventwire throws or rejects with. `code` is stable across versions
 * and listed in `docs/errors.md`; eventwire throws the subclass each code is bound to
 * (`ERROR_CLASSES`), so `instanceof` and `code` always agree. Messages never contain secrets: URL
 * passwords and `Basic`/`Bearer` values are removed here, at construction, and the objects that
 * hold credentials remove their exact secrets from what they put in a message.
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

/** True when `value` is an {@link EventwireError} (also across duplicated package copies). */
export function isEventwireError(value: unknown): value is EventwireError {
  if (value instanceof EventwireError) return true
  const code = value instanceof Error ? (value as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('EVENTWIRE_')
}
