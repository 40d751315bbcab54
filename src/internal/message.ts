import { flatten, newInsertId } from './ids.js'

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
 * A message body not yet serialised. The client snapshots an event's properties when `track()` is
 * called and leaves writing the JSON to whoever first needs it (a batch consumer does it in its
 * intake, after the caller's code has moved on).
 */
export interface MessageDraft {
  /** The wire JSON of the body, carrying `id` as its `$insert_id` where it has one. */
  render(id: string): string
}

/**
 * A message whose wire JSON is written on first use (from a draft) and whose `body` is parsed
 * from that JSON only when read: queued messages then hold just their wire JSON, and the hot path
 * serialises once. A draft message without an id gets a new `$insert_id` when first needed.
 */
class WireMessage implements Message {
  readonly kind: Endpoint
  readonly createdAt: number
  #id: string | undefined
  #json: string | undefined
  #bytes: number
  #body: JsonObject | undefined
  #draft: MessageDraft | undefined

  constructor(
    kind: Endpoint,
    id: string | undefined,
    json: string | undefined,
    bytes: number,
    createdAt: number,
    body?: JsonObject,
    draft?: MessageDraft,
  ) {
    this.kind = kind
    // Both are kept while the message waits: stored flat, not as the ropes concatenation builds.
    this.#id = id === undefined ? undefined : flatten(id)
    this.#json = json === undefined ? undefined : flatten(json)
    this.#bytes = bytes
    this.createdAt = createdAt
    this.#body = body
    this.#draft = draft
  }

  get id(): string {
    this.#id ??= newInsertId()
    return this.#id
  }

  get json(): string {
    if (this.#json === undefined) {
      this.#json = flatten(this.#draft!.render(this.id))
      this.#draft = undefined
    }
    return this.#json
  }

  get bytes(): number {
    if (this.#bytes < 0) this.#bytes = Buffer.byteLength(this.json)
    return this.#bytes
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

/**
 * Builds a {@link Message} whose JSON is rendered from `draft` on first use (reading `json`,
 * `bytes` or `body`). Without `id`, a new `$insert_id` is made when first needed.
 */
export function draftMessage(
  kind: Endpoint,
  id: string | undefined,
  draft: MessageDraft,
  createdAt: number,
): Message {
  return new WireMessage(kind, id, undefined, -1, createdAt, undefined, draft)
}

/** Why a message was dropped. Every drop is counted under one of these. */
export type DropReason =
  | 'rejected'
  | 'too_large'
  | 'retries_exhausted'
  | 'queue_full'
  | 'plan_violation'
  | 'closed'
  | 'store_failed'
