import { watchAbort } from '../../internal/index.js'

/**
 * Runs batches concurrently but hands their results back in submission order, with a sliding
 * window: batch `n` starts only while fewer than `size` batches from the oldest unfinished one
 * onwards are outstanding. So at most `size` batches are ever in flight or finished-but-waiting,
 * which bounds both memory and how much a resumed run can send twice (see the import checkpoint).
 */
export class OrderedWindow<B, R> {
  readonly size: number
  readonly #run: (batch: B) => Promise<R>
  readonly #commit: (batch: B, result: R) => boolean
  readonly #done = new Map<number, { batch: B; result: R }>()
  #next = 0
  #committed = 0
  #stopped = false
  #inFlight = 0
  #waiters: Array<() => void> = []

  /**
   * `run` starts a batch (it must not reject); `commit` receives results in order and returns
   * false to stop: later results are then discarded and no new batch starts.
   */
  constructor(size: number, run: (batch: B) => Promise<R>, commit: (batch: B, result: R) => boolean) {
    this.size = size
    this.#run = run
    this.#commit = commit
  }

  /** Whether a commit returned false. */
  get stopped(): boolean {
    return this.#stopped
  }

  /** Batches started and not yet committed. */
  get outstanding(): number {
    return this.#next - this.#committed
  }

  /**
   * Waits for room in the window, then starts `batch`. Resolves false (not started) once stopped,
   * or when `cancel` aborts first.
   */
  async submit(batch: B, cancel?: AbortSignal): Promise<boolean> {
    const watch = cancel === undefined ? undefined : watchAbort(cancel, { onAbort: () => this.#wake() })
    try {
      while (!this.#stopped && cancel?.aborted !== true && this.#next - this.#committed >= this.size) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve))
      }
    } finally {
      watch?.cancel()
    }
    if (this.#stopped || cancel?.aborted === true) return false
    const seq = this.#next++
    this.#inFlight++
    void this.#run(batch).then(
      (result) => {
        this.#inFlight--
        this.#finish(seq, batch, result)
      },
      () => {
        this.#inFlight--
        this.#stop()
      },
    )
    return true
  }

  /** Resolves when every started batch has finished and was committed (or discarded after a stop). */
  async drain(): Promise<void> {
    while (this.#inFlight > 0) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve))
    }
  }

  #finish(seq: number, batch: B, result: R): void {
    this.#done.set(seq, { batch, result })
    while (!this.#stopped) {
      const entry = this.#done.get(this.#committed)
      if (entry === undefined) break
      this.#done.delete(this.#committed)
      this.#committed++
      if (!this.#commit(entry.batch, entry.result)) this.#stop()
    }
    if (this.#stopped) this.#done.clear()
    this.#wake()
  }

  #stop(): void {
    this.#stopped = true
    this.#wake()
  }

  #wake(): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const wake of waiters) wake()
  }
}
