import type { DeliveryReport, EventConsumer } from '../../consumers/index.js'
import { requestBytes } from '../../destinations/index.js'
import { DeliveryError, type EventwireError, isEventwireError } from '../../errors/index.js'
import type { Endpoint, Message } from '../../message/index.js'
import type { BulkParts } from '../delivery/index.js'
import { OrderedWindow } from '../delivery/index.js'

/** What happened to one message of a profile batch. */
export interface MessageOutcome {
  readonly message: Message
  readonly ok: boolean
  /** Why it was not acknowledged. */
  readonly reason?: string
}

/**
 * Sends profile updates (`/engage` or `/groups`) in batches of up to `batchSize` messages and the
 * request byte limit, `concurrency` requests at a time, through the shared `Delivery` engine (or
 * a caller's consumer), and reports each message's outcome. Used by people sync and the clean-up
 * commands.
 */
export class ProfileBatcher {
  readonly #parts: BulkParts
  readonly #kind: Endpoint
  readonly #consumer: EventConsumer | undefined
  readonly #window: OrderedWindow<Message[], MessageOutcome[]>
  readonly #signal: AbortSignal | undefined
  #batch: Message[] = []
  #bytes = 0
  #error: EventwireError | undefined

  constructor(
    parts: BulkParts,
    kind: Endpoint,
    onOutcomes: (outcomes: readonly MessageOutcome[]) => void,
    options: { consumer?: EventConsumer; signal?: AbortSignal; dryRun?: boolean } = {},
  ) {
    this.#parts = parts
    this.#kind = kind
    this.#consumer = options.consumer
    this.#signal = options.signal
    const dryRun = options.dryRun === true
    this.#window = new OrderedWindow(
      parts.concurrency,
      (batch) =>
        dryRun ? Promise.resolve(batch.map((message) => ({ message, ok: true }))) : this.#send(batch),
      (_batch, outcomes) => {
        onOutcomes(outcomes)
        return true
      },
    )
  }

  /** The first error that made a batch fail as a whole (for the summary). */
  get error(): EventwireError | undefined {
    return this.#error
  }

  /** Adds a message; sends the current batch first when it is full. */
  async add(message: Message): Promise<void> {
    const full =
      this.#batch.length >= this.#parts.batchSize ||
      (this.#batch.length > 0 &&
        requestBytes(
          this.#parts.delivery.destination.framing(this.#kind),
          this.#batch.length + 1,
          this.#bytes + message.bytes,
        ) > this.#parts.delivery.destination.maxRequestBytes)
    if (full) await this.flush()
    this.#batch.push(message)
    this.#bytes += message.bytes
  }

  /** Sends the current batch (waiting for room in the window). */
  async flush(): Promise<void> {
    if (this.#batch.length === 0) return
    const batch = this.#batch
    this.#batch = []
    this.#bytes = 0
    await this.#window.submit(batch)
  }

  /** Sends what is left and waits for every outcome. */
  async finish(): Promise<void> {
    await this.flush()
    await this.#window.drain()
  }

  async #send(batch: Message[]): Promise<MessageOutcome[]> {
    if (this.#consumer !== undefined) return this.#sendToConsumer(batch)
    const report: DeliveryReport = await this.#parts.delivery.deliver(batch, this.#signal)
    const out: MessageOutcome[] = report.delivered.map((message) => ({ message, ok: true }))
    for (const r of report.rejected) out.push({ message: r.message, ok: false, reason: r.error.message })
    if (report.undelivered.length > 0) {
      this.#error ??= report.error
      const reason = report.error?.message ?? 'not delivered'
      for (const message of report.undelivered) out.push({ message, ok: false, reason })
    }
    if (report.rejected.length > 0) this.#error ??= report.rejected[0]!.error
    return out
  }

  async #sendToConsumer(batch: Message[]): Promise<MessageOutcome[]> {
    try {
      await this.#consumer!.send(this.#kind, batch)
      return batch.map((message) => ({ message, ok: true }))
    } catch (error) {
      const err = isEventwireError(error)
        ? error
        : new DeliveryError('EVENTWIRE_DELIVERY_FAILED', String((error as Error)?.message ?? error), {
            cause: error,
          })
      this.#error ??= err
      if (!(error instanceof DeliveryError))
        return batch.map((message) => ({ message, ok: false, reason: err.message }))
      const failed = new Map<Message, string>()
      for (const m of error.messages) failed.set(m, err.message)
      for (const r of error.rejected) failed.set(r.message, r.error.message)
      return batch.map((message) => {
        const reason = failed.get(message)
        return reason === undefined ? { message, ok: true } : { message, ok: false, reason }
      })
    }
  }
}
