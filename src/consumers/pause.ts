import type { RetryPolicy } from '../internal/index.js'

/**
 * Whether the destination is paused after failures. A failed request pauses every request to the
 * destination: for the server's `Retry-After` if it sent one, else for the policy's jittered
 * backoff of the larger of the message's retry number and the destination's failure streak. The
 * streak grows once per failure of a request sent after it last grew (requests already in flight
 * do not inflate it), and a success resets it.
 */
export class Pause {
  readonly #policy: RetryPolicy
  #streak = 0
  #epoch = 0
  #until = 0

  constructor(policy: RetryPolicy) {
    this.#policy = policy
  }

  /** Until when (ms since epoch) requests wait; 0 or a past time when they do not. */
  get until(): number {
    return this.#until
  }

  /** Tag of the current streak, taken when a request leaves and handed back to {@link failed}. */
  get epoch(): number {
    return this.#epoch
  }

  /** A request delivered something: the streak is over. */
  succeeded(): void {
    this.#streak = 0
  }

  /**
   * A request sent in `epoch` failed; its messages are retried for the `retryNo`-th time. Returns
   * the wait before that retry, which pauses the destination too.
   */
  failed(retryNo: number, retryAfterMs: number | undefined, epoch: number, now: number): number {
    if (epoch === this.#epoch) {
      this.#streak++
      this.#epoch++
    }
    const delayMs = this.#policy.delayMs(Math.max(retryNo, this.#streak), retryAfterMs)
    this.#until = Math.max(this.#until, now + delayMs)
    return delayMs
  }
}
