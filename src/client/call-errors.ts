import { EventwireError, isEventwireError } from '../errors/index.js'

/**
 * A non-Eventwire error wrapped with a stable code, the raw error as `cause`: by default one
 * thrown while reading the call's arguments (a throwing getter or `toJSON`, a Proxy trap, a
 * revoked Proxy); `EVENTWIRE_CONSUMER_FAILED` for what a custom consumer threw.
 */
export function asEventwireError(
  error: unknown,
  code:
    | 'EVENTWIRE_INVALID_PROPERTY'
    | 'EVENTWIRE_INVALID_ARGUMENT'
    | 'EVENTWIRE_CONSUMER_FAILED' = 'EVENTWIRE_INVALID_PROPERTY',
): EventwireError {
  if (isEventwireError(error)) return error
  let detail: string
  try {
    detail = error instanceof Error ? error.message : String(error)
  } catch {
    detail = 'an unprintable value was thrown'
  }
  const what =
    code === 'EVENTWIRE_CONSUMER_FAILED' ? 'the consumer failed' : "the call's arguments could not be read"
  return new EventwireError(code, `${what}: ${detail}`, { cause: error })
}
