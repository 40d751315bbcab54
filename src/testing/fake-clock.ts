import { type Clock, checkOptions, optionList, sleepWith, type TimerHandle } from '../internal/index.js'

interface Pending {
  at: number
  seq: number
  fn: () => void
}

/** A clock whose time moves only when told to. */
export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, running due timers in order. */
  advance(ms: number): Promise<void>
  /** Every `sleep()` duration requested so far, in order (the backoff sequence). */
  readonly sleeps: number[]
  /** Timers not yet fired. */
  pendingTimers(): number
}

/** Options of {@link createFakeClock}. */
export interface FakeClockOptions {
  /** Starting time in ms since the epoch. @default 1_700_000_000_000 */
  now?: number
  /**
   * When true, `sleep()` advances time by itself and resolves at once, so code that backs off runs
   * without waiting while `sleeps` records the sequence. @default false
   */
  autoAdvanceSleeps?: boolean
}

/** Defaults of {@link FakeClockOptions}. */
export const FAKE_CLOCK_DEFAULTS = { now: 1_700_000_000_000, autoAdvanceSleeps: false } as const

/** The names of {@link FakeClockOptions}. */
const FAKE_CLOCK_OPTIONS = optionList<FakeClockOptions>()({ now: true, autoAdvanceSleeps: true })

/**
 * A fake {@link Clock} for tests: step exact backoff sequences without real waiting.
 * @throws {ConfigError} for an unknown option.
 */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  checkOptions(options, FAKE_CLOCK_OPTIONS, 'createFakeClock')
  let now = options.now ?? FAKE_CLOCK_DEFAULTS.now
  let seq = 0
  const timers: Pending[] = []
  const sleeps: number[] = []

  const runDue = async (until: number) => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = timers[0]
      if (next === undefined || next.at > until) break
      timers.shift()
      now = Math.max(now, next.at)
      next.fn()
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    now = Math.max(now, until)
  }

  const clock: FakeClock = {
    sleeps,
    now: () => now,
    setTimeout(fn, ms): TimerHandle {
      const entry: Pending = { at: now + Math.max(0, ms), seq: seq++, fn }
      timers.push(entry)
      return {
        cancel: () => {
          const i = timers.indexOf(entry)
          if (i !== -1) timers.splice(i, 1)
        },
      }
    },
    sleep(ms, signal) {
      sleeps.push(ms)
      if (options.autoAdvanceSleeps ?? FAKE_CLOCK_DEFAULTS.autoAdvanceSleeps) {
        if (signal?.aborted) return Promise.reject(signal.reason)
        return runDue(now + ms)
      }
      return sleepWith(clock, ms, signal)
    },
    advance: (ms) => runDue(now + ms),
    pendingTimers: () => timers.length,
  }
  return clock
}
