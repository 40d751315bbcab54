import { intOption } from '../internal/index.js'
import { CLOSE_DEFAULTS, type CloseOptions, type CloseResult } from './consumer.js'

/** The parts of `process` that {@link closeOnSignals} uses (injectable for tests). */
export interface SignalTarget {
  readonly pid: number
  on(event: string, listener: (...args: unknown[]) => void): unknown
  off(event: string, listener: (...args: unknown[]) => void): unknown
  listenerCount(event: string): number
  kill(pid: number, signal?: string): unknown
}

/** Options of {@link closeOnSignals}. */
export interface CloseOnSignalsOptions {
  /** Signals that close the consumer. @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[]
  /** Also close when the event loop empties (`beforeExit`). @default true */
  beforeExit?: boolean
  /** Passed to `close()`. @default 10000 */
  timeoutMs?: number
  /** Called with what `close()` reported and the signal or event that triggered it. */
  onClose?: (result: CloseResult, trigger: string) => void
  /** The process to hook. @default process */
  process?: SignalTarget
}

/** Defaults of {@link CloseOnSignalsOptions}. */
export const CLOSE_ON_SIGNALS_DEFAULTS = {
  signals: ['SIGTERM', 'SIGINT'] as readonly NodeJS.Signals[],
  beforeExit: true,
  timeoutMs: CLOSE_DEFAULTS.timeoutMs,
} as const

/**
 * Hooks `closeable.close()` to process signals and `beforeExit`, so buffered messages are sent
 * when the process is asked to stop. On a signal it closes, then — if nothing else listens to that
 * signal — raises it again so the process ends as it would have (exit code 128 + signal number).
 * On `beforeExit` it closes and lets the process exit once the event loop is empty again.
 * Each hook fires once. Returns a function that removes the hooks.
 */
export function closeOnSignals(
  closeable: { close(options?: CloseOptions): Promise<CloseResult> },
  options: CloseOnSignalsOptions = {},
): () => void {
  const target = options.process ?? (process as unknown as SignalTarget)
  const timeoutMs = intOption('timeoutMs', options.timeoutMs, CLOSE_ON_SIGNALS_DEFAULTS.timeoutMs, 0)
  const signals = options.signals ?? CLOSE_ON_SIGNALS_DEFAULTS.signals
  const hooks: Array<[string, (...args: unknown[]) => void]> = []
  const dispose = () => {
    for (const [event, listener] of hooks.splice(0)) target.off(event, listener)
  }
  const run = (trigger: string, after: () => void) => {
    dispose()
    closeable.close({ timeoutMs }).then(
      (result) => {
        try {
          options.onClose?.(result, trigger)
        } catch {
          // A failing report must not keep the process from stopping.
        }
        after()
      },
      () => after(),
    )
  }
  for (const signal of signals) {
    const listener = () =>
      run(signal, () => {
        if (target.listenerCount(signal) === 0) target.kill(target.pid, signal)
      })
    hooks.push([signal, listener])
  }
  if (options.beforeExit ?? CLOSE_ON_SIGNALS_DEFAULTS.beforeExit)
    hooks.push(['beforeExit', () => run('beforeExit', () => {})])
  for (const [event, listener] of hooks) target.on(event, listener)
  return dispose
}
