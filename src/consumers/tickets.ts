import type { EventwireError, RejectedMessage } from '../errors/index.js'
import { KeepAlive } from '../internal/index.js'
import type { Message } from '../message/index.js'
import type { DeliveryReport } from './delivery-report.js'

/**
 * What one call waits for: its messages to be final (a `Consumer` call resolves only then). Kept
 * small, since a burst of fire-and-forget calls holds one per call until delivery: the failures
 * are recorded as they come, and the delivered messages are known at the end (all the others).
 */
export abstract class Ticket {
  /** Messages not yet final. */
  left: number
  /** The caller's messages (one, or the call's list). */
  readonly messages: Message | readonly Message[]
  /** `messages` by id, built on first use. */
  byId: Map<string, Message> | undefined = undefined
  rejected: RejectedMessage[] | undefined = undefined
  undelivered: Message[] | undefined = undefined
  error: EventwireError | undefined = undefined

  constructor(messages: Message | readonly Message[]) {
    this.messages = messages
    this.left = Array.isArray(messages) ? messages.length : 1
  }

  /** One of the messages was not delivered (its retries ran out, or delivery stopped). */
  notDelivered(message: Message, error: EventwireError): void {
    if (this.undelivered === undefined) this.undelivered = [message]
    else this.undelivered.push(message)
    this.error = error
  }

  /** One of the messages was refused for good. */
  refused(item: RejectedMessage): void {
    if (this.rejected === undefined) this.rejected = [item]
    else this.rejected.push(item)
  }

  /** Every message is final: `report` is undefined when all of them were delivered. */
  abstract finish(report: DeliveryReport | undefined): void

  /** What became of the messages; undefined when all were delivered. */
  report(): DeliveryReport | undefined {
    if (this.rejected === undefined && this.undelivered === undefined) return undefined
    const failed = new Set<Message>(this.undelivered)
    if (this.rejected !== undefined) for (const r of this.rejected) failed.add(r.message)
    return {
      delivered: listOf(this.messages).filter((m) => !failed.has(m)),
      rejected: this.rejected ?? [],
      undelivered: this.undelivered ?? [],
      error: this.error,
    }
  }
}

/** A ticket that hands its report, full even on success, to `done`. */
export class ReportTicket extends Ticket {
  readonly #done: (report: DeliveryReport) => void

  constructor(messages: Message | readonly Message[], done: (report: DeliveryReport) => void) {
    super(messages)
    this.#done = done
  }

  finish(report: DeliveryReport | undefined): void {
    this.#done(
      report ?? { delivered: listOf(this.messages), rejected: [], undelivered: [], error: undefined },
    )
  }
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

  /** Registers a call waiting for its messages; its `finish` is called once each is final. */
  open(ticket: Ticket): void {
    if (this.#open++ === 0) this.#keepAlive.hold()
    const { messages } = ticket
    if (!Array.isArray(messages)) this.#add(messages as Message, ticket)
    else for (const message of messages as readonly Message[]) this.#add(message, ticket)
  }

  #add(message: Message, ticket: Ticket): void {
    const held = this.#byId.get(message.id)
    if (held === undefined) this.#byId.set(message.id, ticket)
    else if (Array.isArray(held)) held.push(ticket)
    else this.#byId.set(message.id, [held, ticket])
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
      const item = rejected?.[i]
      if (item !== undefined) {
        // The caller's own message object, not the store's copy: callers match outcomes by identity.
        const original = originalOf(ticket, message)
        if (item.reason === 'retries_exhausted') {
          ticket.notDelivered(original, (item.error.cause as EventwireError | undefined) ?? item.error)
        } else ticket.refused({ ...item, message: original })
      }
      if (--ticket.left > 0) continue
      this.#finish(ticket, ticket.report())
    }
  }

  /** Delivery stopped for good: every waiting call is told its unsettled messages are undelivered. */
  stop(error: EventwireError): void {
    const byId = this.#byId
    const open = new Set<Ticket>()
    for (const held of byId.values()) for (const t of Array.isArray(held) ? held : [held]) open.add(t)
    for (const ticket of open) {
      for (const message of listOf(ticket.messages))
        if (byId.has(message.id)) ticket.notDelivered(message, error)
      ticket.error = error
      this.#finish(ticket, ticket.report())
    }
    byId.clear()
  }

  #finish(ticket: Ticket, report: DeliveryReport | undefined): void {
    if (--this.#open === 0) this.#keepAlive.release()
    ticket.finish(report)
  }
}

function listOf(messages: Message | readonly Message[]): readonly Message[] {
  return Array.isArray(messages) ? (messages as readonly Message[]) : [messages as Message]
}

/** The message of `ticket` with the id of `message`. */
function originalOf(ticket: Ticket, message: Message): Message {
  const messages = ticket.messages
  if (!Array.isArray(messages)) return messages as Message
  if (messages.length === 1) return messages[0]!
  ticket.byId ??= new Map((messages as readonly Message[]).map((m) => [m.id, m]))
  return ticket.byId.get(message.id) ?? message
}
