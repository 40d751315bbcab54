import type { EventwireError, RejectedMessage } from '../errors/index.js'
import { KeepAlive } from '../internal/index.js'
import { type Message, messageList, setWaiter, waiterOf } from '../message/index.js'
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
  /** Set while the ticket waits in its message's note (see `waiterOf`), linked with the others. */
  owner: Tickets | undefined = undefined
  prev: Ticket | undefined = undefined
  next: Ticket | undefined = undefined

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
      delivered: messageList(this.messages).filter((m) => !failed.has(m)),
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
      report ?? { delivered: messageList(this.messages), rejected: [], undelivered: [], error: undefined },
    )
  }
}

/**
 * Calls waiting for their messages to be final. Each is told what became of its messages in terms
 * of the caller's own message objects.
 *
 * A store that hands back the very objects it was given (the engine's own memory store) lets a
 * one-message call (every `track()`) wait in its message's note (`waiterOf`), found without a
 * lookup; the others are indexed by message, or, for a store that may hand back copies, by id.
 * The process stays alive while any call waits.
 */
export class Tickets {
  readonly #index = new Map<unknown, Ticket | Ticket[]>()
  readonly #key: (message: Message) => unknown
  readonly #sameObjects: boolean
  readonly #keepAlive = new KeepAlive()
  /** Tickets waiting in their message's note, newest first. */
  #noted: Ticket | undefined = undefined
  #notedCount = 0
  #open = 0

  /** `sameObjects`: the messages settled are the objects the calls handed over, never copies. */
  constructor(sameObjects: boolean) {
    this.#sameObjects = sameObjects
    this.#key = sameObjects ? byIdentity : byId
  }

  /** Whether any call waits. */
  get size(): number {
    return this.#index.size + this.#notedCount
  }

  /** Registers a call waiting for its messages; its `finish` is called once each is final. */
  open(ticket: Ticket): void {
    if (this.#open++ === 0) this.#keepAlive.hold()
    const { messages } = ticket
    if (!Array.isArray(messages)) {
      const message = messages as Message
      if (this.#sameObjects && waiterOf(message) === undefined) this.#note(message, ticket)
      else this.#add(message, ticket)
    } else for (const message of messages as readonly Message[]) this.#add(message, ticket)
  }

  #note(message: Message, ticket: Ticket): void {
    setWaiter(message, ticket)
    ticket.owner = this
    ticket.next = this.#noted
    if (this.#noted !== undefined) this.#noted.prev = ticket
    this.#noted = ticket
    this.#notedCount++
  }

  #unnote(message: Message, ticket: Ticket): void {
    setWaiter(message, undefined)
    ticket.owner = undefined
    if (ticket.prev === undefined) this.#noted = ticket.next
    else ticket.prev.next = ticket.next
    if (ticket.next !== undefined) ticket.next.prev = ticket.prev
    ticket.prev = undefined
    ticket.next = undefined
    this.#notedCount--
  }

  #add(message: Message, ticket: Ticket): void {
    const key = this.#key(message)
    const held = this.#index.get(key)
    if (held === undefined) this.#index.set(key, ticket)
    else if (Array.isArray(held)) held.push(ticket)
    else this.#index.set(key, [held, ticket])
  }

  /** The ticket longest waiting for `message`, taken off; undefined when none waits for it. */
  #take(message: Message): Ticket | undefined {
    const noted = this.#notedCount > 0 ? waiterOf(message) : undefined
    if (noted instanceof Ticket && noted.owner === this) {
      this.#unnote(message, noted)
      return noted
    }
    const index = this.#index
    if (index.size === 0) return undefined
    const key = this.#key(message)
    const held = index.get(key)
    if (held === undefined || !Array.isArray(held)) {
      index.delete(key)
      return held
    }
    const ticket = held.shift()
    if (held.length === 0) index.delete(key)
    return ticket
  }

  /** Messages became final: delivered, or (with `rejected`, item by item) dropped. */
  settle(messages: readonly Message[], rejected: readonly RejectedMessage[] | undefined): void {
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!
      const ticket = this.#take(message)
      if (ticket === undefined) continue
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
    const index = this.#index
    const open = new Set<Ticket>()
    for (const held of index.values()) for (const t of Array.isArray(held) ? held : [held]) open.add(t)
    for (let t = this.#noted; t !== undefined; t = t.next) open.add(t)
    // Each open ticket has a message still waiting: each is told `error`.
    for (const ticket of open) {
      for (const message of messageList(ticket.messages)) {
        if (ticket.owner === this || index.has(this.#key(message))) ticket.notDelivered(message, error)
      }
    }
    for (let t = this.#noted; t !== undefined; t = this.#noted) this.#unnote(t.messages as Message, t)
    index.clear()
    for (const ticket of open) this.#finish(ticket, ticket.report())
  }

  #finish(ticket: Ticket, report: DeliveryReport | undefined): void {
    if (--this.#open === 0) this.#keepAlive.release()
    ticket.finish(report)
  }
}

function byIdentity(message: Message): unknown {
  return message
}

function byId(message: Message): unknown {
  return message.id
}

/** The message of `ticket` with the id of `message`. */
function originalOf(ticket: Ticket, message: Message): Message {
  const messages = ticket.messages
  if (!Array.isArray(messages)) return messages as Message
  if (messages.length === 1) return messages[0]!
  ticket.byId ??= new Map((messages as readonly Message[]).map((m) => [m.id, m]))
  return ticket.byId.get(message.id) ?? message
}
