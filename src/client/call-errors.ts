import { ConsumerError, type EventwireError, isEventwireError, ValidationError } from '../errors/index.js'

/**
 * `error` as an `EventwireError`: itself when it is one, otherwise a `ValidationError` with a
 * stable code and the raw error as `cause`, for what was thrown while reading the call's
 * arguments (a throwing getter or `toJSON`, a Proxy trap, a revoked Proxy).
 */
export function callError(
  error: unknown,
  code: 'EVENTWIRE_INVALID_PROPERTY' | 'EVENTWIRE_INVALID_ARGUMENT' = 'EVENTWIRE_INVALID_PROPERTY',
): EventwireError {
  if (isEventwireError(error)) return error
  return new ValidationError(code, `the call's arguments could not be read: ${detail(error)}`, undefined, {
    cause: error,
  })
}

/**
 * What a custom consumer threw or rejected with, as an `EventwireError`: itself when it is one,
 * otherwise a `ConsumerError` (`EVENTWIRE_CONSUMER_FAILED`) whose `cause` is what it threw.
 */
export function consumerError(error: unknown): EventwireError {
  if (isEventwireError(error)) return error
  return new ConsumerError(`the consumer failed: ${detail(error)}`, { cause: error })
}

function detail(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'an unprintable value was thrown'
  }
}
