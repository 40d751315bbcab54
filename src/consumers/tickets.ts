import type { EventwireError, RejectedMessage } from '../errors/index.js'
import { KeepAlive } from '../internal/index.js'
import type { Message } from '../message/index.js'
import type { DeliveryReport } from './delivery-report.js'

/** The outcome one call waits for (a `Consumer` call resolves only once its messages are final). */
interface Ticket {
  left: number
  readonly messages: readonly Message[]
  /** `messages` by id, built on first use. */
  byId?: Map<string, Message>
  readonly delivered: Message[]
  readonly rejected: RejectedMessage[]
  readonly undelivered: Message[]
  error: EventwireError | undefined
  readonly done: (report: DeliveryReport) => void
}

/**
 * Calls waiting for their messages to be final, by message id. Each is told what became of its
 * messages in terms of the caller's own message objects (the store may hand back copies). The
 * process stays alive while any call waits.
 */
export class Tickets {
  readonly #byId = new Map<string, Ticket | Ticket[]>()
  readonly #keepAlive = new KeepAlive()
  #open = 0

  /** Whether any call waits. */
  get size(): number {
    return this.#byId.size
  }

  /** Registers a call waiting for `messages`; `done` is told once each is final. */
  open(messages: readonly Message[], done: (report: DeliveryReport) => void): void {
    if (this.#open++ === 0) this.#keepAlive.hold()
    const ticket: Ticket = {
      left: messages.length,
      messages,
      delivered: [],
      rejected: [],
      undelivered: [],
      error: undefined,
      done: (report) => {
        if (--this.#open === 0) this.#keepAlive.release()
        done(report)
      },
    }
    for (const message of messages) {
      const held = this.#byId.get(message.id)
      if (held === undefined) this.#byId.set(message.id, ticket)
      else if (Array.isArray(held)) held.push(ticket)
      else this.#byId.set(message.id, [held, ticket])
    }
  }

  /** Messages became final: delivered, or (with `rejected`, item by item) dropped. */
  settle(messages: readonly Message[], rejected: readonly RejectedMessage[] | undefined): void {
    const byId = this.#byId
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!
      const held = byId.get(message.id)
      if (held === undefined) continue
      let ticket: Ticket
      if (Array.isArray(held)) {
        ticket = held.shift()!
        if (held.length === 0) byId.delete(message.id)
      } else {
        ticket = held
        byId.delete(message.id)
      }
      // The caller's own message object, not the store's copy: callers match outcomes by identity.
      const original = originalOf(ticket, message)
      const item = rejected?.[i]
      if (item === undefined) ticket.delivered.push(original)
      else if (item.reason === 'retries_exhausted') {
        ticket.undelivered.push(original)
        ticket.error = (item.error.cause as EventwireError | undefined) ?? item.error
      } else ticket.rejected.push({ ...item, message: original })
      if (--ticket.left > 0) continue
      ticket.done({
        delivered: ticket.delivered,
        rejected: ticket.rejected,
        undelivered: ticket.undelivered,
        error: ticket.error,
      })
    }
  }

  /** Delivery stopped for good: every waiting call is told its unsettled messages are undelivered. */
  stop(error: EventwireError): void {
    const byId = this.#byId
    const open = new Set<Ticket>()
    for (const held of byId.values()) for (const t of Array.isArray(held) ? held : [held]) open.add(t)
    for (const ticket of open) {
      const left = ticket.messages.filter((m) => byId.has(m.id))
      ticket.done({
        delivered: ticket.delivered,
        rejected: ticket.rejected,
        undelivered: [...ticket.undelivered, ...left],
        error,
      })
    }
    byId.clear()
  }
}

/** The message of `ticket` with the id of `message`. */
function originalOf(ticket: Ticket, message: Message): Message {
  const messages = ticket.messages
  if (messages.length === 1) return messages[0]!
  ticket.byId ??= new Map(messages.map((m) => [m.id, m]))
  return ticket.byId.get(message.id) ?? message
}
