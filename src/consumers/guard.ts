import type { Logger } from '../internal/index.js'

/** Wraps a user callback so that one that throws is logged and never breaks delivery. */
export function guard<A extends unknown[]>(
  fn: ((...args: A) => void) | undefined,
  name: string,
  logger: Logger,
): ((...args: A) => void) | undefined {
  if (fn === undefined) return undefined
  return (...args: A) => {
    try {
      fn(...args)
    } catch (error) {
      logger.error({ err: error, callback: name }, 'eventwire: a callback threw')
    }
  }
}
