/** Something to tell when a signal aborts. */
export interface AbortTarget {
  onAbort(reason: unknown): void
}

/** A registration made by {@link watchAbort}. */
export interface AbortWatch {
  /** Stops watching; calling it again does nothing. */
  cancel(): void
}

/** One registration, linked both ways; unlinking clears every pointer it holds. */
class Watch implements AbortWatch {
  target: AbortTarget | undefined
  prev: Watch | undefined
  next: Watch | undefined
  list: WatchList | undefined

  constructor(target: AbortTarget, list: WatchList) {
    this.target = target
    this.list = list
  }

  cancel(): void {
    this.list?.unlink(this)
  }
}

/** The registrations of one signal, behind the signal's single listener. */
class WatchList {
  head: Watch | undefined
  tail: Watch | undefined

  add(target: AbortTarget): Watch {
    const watch = new Watch(target, this)
    watch.prev = this.tail
    if (this.tail === undefined) this.head = watch
    else this.tail.next = watch
    this.tail = watch
    return watch
  }

  unlink(watch: Watch): void {
    if (watch.prev === undefined) this.head = watch.next
    else watch.prev.next = watch.next
    if (watch.next === undefined) this.tail = watch.prev
    else watch.next.prev = watch.prev
    watch.prev = undefined
    watch.next = undefined
    watch.list = undefined
    watch.target = undefined
  }

  fire(reason: unknown): void {
    for (let watch = this.head; watch !== undefined; watch = this.head) {
      const target = watch.target!
      this.unlink(watch)
      target.onAbort(reason)
    }
  }
}

const lists = new WeakMap<AbortSignal, WatchList>()

/**
 * Calls `target.onAbort(reason)` when `signal` aborts (never if it already has: check `aborted`
 * first), until the returned watch is cancelled.
 *
 * For signals that outlive many short operations (a consumer's close deadline, a store's intake):
 * each signal gets one listener, whatever the number of operations. A listener added and removed
 * per operation leaves removed nodes that still point to their neighbours and callbacks; once one
 * of them reaches the old generation, every scavenge keeps the rest (and what their callbacks
 * hold) alive until the next full collection.
 */
export function watchAbort(signal: AbortSignal, target: AbortTarget): AbortWatch {
  let list = lists.get(signal)
  if (list === undefined) {
    const created = new WatchList()
    signal.addEventListener('abort', () => created.fire(signal.reason), { once: true })
    lists.set(signal, created)
    list = created
  }
  return list.add(target)
}
