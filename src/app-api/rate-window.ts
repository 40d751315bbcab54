import type { Clock } from '../internal/index.js'

/**
 * A sliding one-minute window that spaces requests to stay within a request count and an
 * "updates" budget per window (the Lexicon Schemas API allows 5 requests and fewer than 4000
 * updated events and properties per minute). Waits on the injected clock.
 */
export class RateWindow {
  readonly #clock: Clock
  readonly #requests: number
  readonly #budget: number
  readonly #windowMs: number
  readonly #spent: Array<{ at: number; cost: number }> = []

  constructor(clock: Clock, requestsPerWindow: number, budgetPerWindow: number, windowMs = 60_000) {
    this.#clock = clock
    this.#requests = requestsPerWindow
    this.#budget = budgetPerWindow
    this.#windowMs = windowMs
  }

  /**
   * Waits until one more request costing `cost` fits, then records it. A request costing more
   * than the whole budget waits for an empty window. Resolves with the milliseconds waited.
   */
  async acquire(cost: number): Promise<number> {
    let waited = 0
    for (;;) {
      const now = this.#clock.now()
      while (this.#spent.length > 0 && this.#spent[0]!.at + this.#windowMs <= now) this.#spent.shift()
      const used = this.#spent.reduce((sum, s) => sum + s.cost, 0)
      if (this.#spent.length === 0 || (this.#spent.length < this.#requests && used + cost <= this.#budget)) {
        this.#spent.push({ at: now, cost })
        return waited
      }
      const waitMs = Math.max(1, this.#spent[0]!.at + this.#windowMs - now)
      await this.#clock.sleep(waitMs)
      waited += waitMs
    }
  }
}
