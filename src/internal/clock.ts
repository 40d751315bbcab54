import { watchAbort } from './abort-watch.js'

/** A cancellable timer handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Cancels the timer; calling it again does nothing. */
  cancel(): void
}

/**
 * The one source of time for eventwire. Pipeline code never calls `Date.now()` or `setTimeout`
 * directly, so tests can step a fake clock (see `createFakeClock` in `eventwire/testing`).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  /**
   * Runs `fn` after `ms` milliseconds. Timers never keep the process alive (they are `unref`'d).
   */
  setTimeout(fn: () => void, ms: number): TimerHandle
  /**
   * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal`
   * aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** The real clock: `Date.now()` and `unref`'d Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms))
    timer.unref()
    return { cancel: () => clearTimeout(timer) }
  },
  sleep(ms, signal) {
    return sleepWith(systemClock, ms, signal)
  },
}

/** Implements {@link Clock.sleep} on top of a clock's `setTimeout`. */
export function sleepWith(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const watch =
      signal === undefined
        ? undefined
        : watchAbort(signal, {
            onAbort(reason) {
              timer.cancel()
              reject(reason)
            },
          })
    const timer = clock.setTimeout(() => {
      watch?.cancel()
      resolve()
    }, ms)
  })
}
