import { type RejectedMessage, ValidationError } from '../errors/index.js'
import {
  adoptMessage,
  createMessage,
  type Endpoint,
  isBuiltMessage,
  isEndpoint,
  type Message,
  newInsertId,
} from '../message/index.js'

/**
 * True when every message given is one eventwire built (`createMessage`, `messageFromJson`, the
 * client): what `send()` almost always gets, checked without allocating.
 */
export function allBuilt(message: Message | readonly Message[]): boolean {
  if (!Array.isArray(message)) return isBuiltMessage(message)
  for (let i = 0; i < message.length; i++) if (!isBuiltMessage(message[i])) return false
  return true
}

/**
 * Takes messages a caller built some other way (by hand, or with another library): each is
 * rebuilt once from its JSON or body ({@link adoptMessage}), so everything after the entry can
 * rely on it. One that cannot be rebuilt is refused as `rejected` with `EVENTWIRE_INVALID_PROPERTY`;
 * it is reported as a message with its id and kind and an empty body, what went wrong as `cause`.
 */
export function adoptAll(
  endpoint: Endpoint,
  given: readonly unknown[],
): { messages: Message[]; refused: RejectedMessage[] } {
  const messages: Message[] = []
  const refused: RejectedMessage[] = []
  for (const value of given) {
    try {
      messages.push(adoptMessage(value))
    } catch (cause) {
      const error = new ValidationError(
        'EVENTWIRE_INVALID_PROPERTY',
        `a ${endpoint} message's JSON could not be written: ${describeCause(cause)}`,
        undefined,
        { cause },
      )
      refused.push({ message: standIn(endpoint, value), reason: 'rejected', error })
    }
  }
  return { messages, refused }
}

/** The message reported in place of one that could not be rebuilt: its id and kind, no body. */
function standIn(endpoint: Endpoint, value: unknown): Message {
  let id: unknown
  try {
    id = (value as { id?: unknown } | null)?.id
  } catch {
    id = undefined
  }
  return createMessage(endpoint, typeof id === 'string' && id !== '' ? id : newInsertId(), {}, 0)
}

function describeCause(cause: unknown): string {
  try {
    return cause instanceof Error ? cause.message : String(cause)
  } catch {
    return 'an unprintable value was thrown'
  }
}

/** The kind of a batch of messages that may not all be messages (for reporting one that is not). */
export function kindOf(messages: readonly unknown[]): Endpoint {
  for (const message of messages) {
    const kind = (message as { kind?: unknown } | null)?.kind
    if (isEndpoint(kind)) return kind
  }
  return 'events'
}
