/** A JSON value as it goes on the wire. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A JSON object as it goes on the wire. */
export type JsonObject = { [key: string]: JsonValue }

/**
 * Which Mixpanel endpoint a message is for: `events` → /track, `people` → /engage,
 * `groups` → /groups, `imports` → /import.
 */
export type Endpoint = 'events' | 'people' | 'groups' | 'imports'

/** Every endpoint, in a stable order. */
export const ENDPOINTS: readonly Endpoint[] = ['events', 'people', 'groups', 'imports']

/** True when `value` names one of the four endpoints. */
export function isEndpoint(value: unknown): value is Endpoint {
  return value === 'events' || value === 'people' || value === 'groups' || value === 'imports'
}

/**
 * One tracked call, built once by the client and carried unchanged through consumers, stores and
 * destinations. `id` is the event's `$insert_id` (kept across retries so receivers can
 * deduplicate); profile updates get a generated id used only inside eventwire.
 */
export interface Message {
  /** `$insert_id` for events and imports; an internal id for profile updates. */
  readonly id: string
  /** The endpoint this message is for. */
  readonly kind: Endpoint
  /** The plain JSON body in Mixpanel's documented shape. */
  readonly body: JsonObject
  /** `JSON.stringify(body)`, computed once when the message was built. */
  readonly json: string
  /** UTF-8 byte length of `json`. */
  readonly bytes: number
  /** When the message was built, in milliseconds since the epoch. */
  readonly createdAt: number
}

/**
 * A message whose `body` is parsed from `json` only when first read: queued messages then hold
 * just their wire JSON, and the hot path serialises once.
 */
class WireMessage implements Message {
  readonly kind: Endpoint
  readonly id: string
  readonly json: string
  readonly bytes: number
  readonly createdAt: number
  #body: JsonObject | undefined

  constructor(kind: Endpoint, id: string, json: string, bytes: number, createdAt: number, body?: JsonObject) {
    this.kind = kind
    this.id = id
    this.json = json
    this.bytes = bytes
    this.createdAt = createdAt
    this.#body = body
  }

  get body(): JsonObject {
    this.#body ??= JSON.parse(this.json) as JsonObject
    return this.#body
  }

  toJSON(): { id: string; kind: Endpoint; body: JsonObject; createdAt: number } {
    return { id: this.id, kind: this.kind, body: this.body, createdAt: this.createdAt }
  }
}

/** Builds a {@link Message} from a body that is already JSON-safe. */
export function createMessage(
  kind: Endpoint,
  id: string,
  body: JsonObject,
  createdAt: number,
  json = JSON.stringify(body),
): Message {
  return new WireMessage(kind, id, json, Buffer.byteLength(json), createdAt, body)
}

/** Builds a {@link Message} from its wire JSON; `body` is parsed on first use. */
export function messageFromJson(
  kind: Endpoint,
  id: string,
  json: string,
  createdAt: number,
  bytes?: number,
): Message {
  return new WireMessage(kind, id, json, bytes ?? Buffer.byteLength(json), createdAt)
}

/** Why a message was dropped. Every drop is counted under one of these. */
export type DropReason =
  | 'rejected'
  | 'too_large'
  | 'retries_exhausted'
  | 'queue_full'
  | 'plan_violation'
  | 'closed'
