import { type AbortWatch, type Clock, watchAbort } from '../internal/index.js'

/**
 * A deadline of `timeoutMs` on `clock`, brought forward by `signal` when it aborts: `reached`
 * resolves at whichever comes first; `passed` says whether it did before {@link cancel}.
 */
export class Deadline {
  readonly reached: Promise<void>
  #passed = false
  #timer: { cancel(): void } | undefined
  #watch: AbortWatch | undefined

  constructor(clock: Clock, timeoutMs: number, signal?: AbortSignal) {
    this.reached = new Promise<void>((resolve) => {
      const end = () => {
        this.#passed = true
        resolve()
      }
      this.#timer = clock.setTimeout(end, timeoutMs)
      if (signal?.aborted) end()
      else if (signal !== undefined) this.#watch = watchAbort(signal, { onAbort: end })
    })
  }

  /** Whether the deadline came (or the signal aborted) before `cancel()`. */
  get passed(): boolean {
    return this.#passed
  }

  /** Stops the timer and the signal's listener. */
  cancel(): void {
    this.#timer?.cancel()
    this.#watch?.cancel()
  }
}
