import type { RejectedMessage } from '../errors/index.js'
import type { Message } from '../message/index.js'

/** Most ids remembered as maybe stored after a failed add. */
const MAX_UNSURE = 100_000

/**
 * Ids of messages already final that a store may still hand out: its add or acknowledgement got
 * no answer, so it may have been applied, or not. Bounded: past {@link MAX_UNSURE} ids the oldest
 * are forgotten all at once.
 */
export class MayReturn {
  readonly #ids = new Set<string>()

  /** Ids remembered. */
  get size(): number {
    return this.#ids.size
  }

  /** Remembers `messages` as possibly handed out again. */
  add(messages: readonly Message[]): void {
    for (const message of messages) {
      if (this.#ids.size >= MAX_UNSURE) this.#ids.clear()
      this.#ids.add(message.id)
    }
  }

  /**
   * Forgets the remembered ones among `messages`, which reached a final outcome (again). Returns
   * how many there were, and the other messages with their drops; undefined when there were none.
   */
  take(
    messages: readonly Message[],
    rejected: readonly RejectedMessage[] | undefined,
  ): { again: number; messages: Message[]; rejected: RejectedMessage[] | undefined } | undefined {
    let again = 0
    const keep: number[] = []
    for (let i = 0; i < messages.length; i++) {
      if (this.#ids.delete(messages[i]!.id)) again++
      else keep.push(i)
    }
    if (again === 0) return undefined
    return {
      again,
      messages: keep.map((i) => messages[i]!),
      rejected: rejected === undefined ? undefined : keep.map((i) => rejected[i]!),
    }
  }
}
