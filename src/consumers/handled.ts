import { watchAbort } from '../internal/index.js'

const noop = () => {}

const safeConsumers = new WeakSet<object>()

/** Records `consumer` as one whose promises are already marked handled (eventwire's own). */
export function markSafeConsumer(consumer: object): void {
  safeConsumers.add(consumer)
}

/** Whether the promises of `consumer` never reject unhandled (see {@link markSafeConsumer}). */
export function isSafeConsumer(consumer: object): boolean {
  return safeConsumers.has(consumer)
}

/**
 * `promise`, or a rejection with the signal's reason as soon as `signal` aborts (the work itself
 * goes on). Marked handled.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  return handled(
    new Promise<T>((resolve, reject) => {
      const watch = watchAbort(signal, { onAbort: reject })
      promise.then(
        (value) => {
          watch.cancel()
          resolve(value)
        },
        (error: unknown) => {
          watch.cancel()
          reject(error)
        },
      )
    }),
  )
}

/** `promise`, marked as handled: rejecting it when nobody awaits it never crashes the process. */
export function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(noop)
  return promise
}
