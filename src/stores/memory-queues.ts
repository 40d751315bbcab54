import type { Endpoint, Message } from '../message/index.js'

/** One message held by the memory store. */
export interface Entry {
  readonly message: Message
  readonly kind: Endpoint
  readonly bytes: number
  /** Arrival order: leases and evictions take the oldest first. */
  readonly seq: number
  /** Delivery attempts already made. */
  attempts: number
  /** When a message backing off may be leased again (ms since epoch). */
  notBefore: number
  /** The lease holding it, if any. */
  lease: string | undefined
  /** False once acknowledged or evicted: stale slots in the queues are skipped. */
  alive: boolean
}

/** A FIFO of entries in arrival order, with O(1) shift; dead or leased entries are skipped lazily. */
export class ReadyQueue {
  #items: Entry[] = []
  #head = 0

  /** Appends an entry newer than every other (a fresh message). */
  push(entry: Entry): void {
    this.#items.push(entry)
  }

  /** Puts back an entry (a retry) at its place in arrival order. */
  insert(entry: Entry): void {
    const items = this.#items
    let lo = this.#head
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (items[mid]!.seq < entry.seq) lo = mid + 1
      else hi = mid
    }
    items.splice(lo, 0, entry)
  }

  /** The oldest entry that is alive and not leased, dropping stale slots before it. */
  peek(): Entry | undefined {
    const items = this.#items
    while (this.#head < items.length) {
      const entry = items[this.#head]!
      if (entry.alive && entry.lease === undefined && entry.notBefore === 0) return entry
      this.#head++
    }
    this.#compact()
    return undefined
  }

  /** Removes and returns the entry {@link peek} returns. */
  shift(): Entry | undefined {
    const entry = this.peek()
    if (entry !== undefined) this.#head++
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) this.#compact()
    return entry
  }

  #compact(): void {
    this.#items = this.#items.slice(this.#head)
    this.#head = 0
  }
}

/** Entries backing off, soonest due first (a binary min-heap on `notBefore`, then arrival). */
export class DelayedHeap {
  readonly #items: Entry[] = []

  get size(): number {
    return this.#items.length
  }

  /** When the soonest entry is due, if any. */
  get nextAt(): number | undefined {
    return this.#items[0]?.notBefore
  }

  push(entry: Entry): void {
    const items = this.#items
    items.push(entry)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(items[i]!, items[parent]!)) break
      ;[items[i], items[parent]] = [items[parent]!, items[i]!]
      i = parent
    }
  }

  /** Removes and returns every entry due at `now`, oldest arrival first. */
  takeDue(now: number): Entry[] {
    const due: Entry[] = []
    while (this.#items.length > 0 && this.#items[0]!.notBefore <= now) due.push(this.#pop())
    return due.sort((a, b) => a.seq - b.seq)
  }

  #pop(): Entry {
    const items = this.#items
    const top = items[0]!
    const last = items.pop()!
    if (items.length > 0) {
      items[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let smallest = i
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right
        if (smallest === i) break
        ;[items[i], items[smallest]] = [items[smallest]!, items[i]!]
        i = smallest
      }
    }
    return top
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.notBefore < b.notBefore || (a.notBefore === b.notBefore && a.seq < b.seq)
}
