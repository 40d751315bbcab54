/**
 * Keeps the process alive while something may be awaited that only unref'd timers would otherwise
 * drive (a delivery, flush or close waiting out a retry backoff, a flags request): without it,
 * Node would exit with the caller's `await` never settling. Holds one ref'd no-op interval while
 * at least one hold is active. The interval does no timing; every delay still goes through the
 * injected clock.
 */
export class KeepAlive {
  #holds = 0
  #handle: ReturnType<typeof setInterval> | undefined

  /** Holds the process alive until `promise` settles; returns `promise`. */
  during<T>(promise: Promise<T>): Promise<T> {
    this.hold()
    const release = () => this.release()
    promise.then(release, release)
    return promise
  }

  /** Holds the process alive until a matching {@link release}. */
  hold(): void {
    if (this.#holds++ === 0) this.#handle = setInterval(noop, 1 << 30)
  }

  /** Ends one {@link hold}. */
  release(): void {
    if (this.#holds > 0 && --this.#holds === 0) {
      clearInterval(this.#handle)
      this.#handle = undefined
    }
  }
}

function noop(): void {}
