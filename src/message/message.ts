import { type Endpoint, isEndpoint } from './endpoint.js'
import { flatten, newInsertId } from './ids.js'
import type { JsonObject } from './json.js'

/**
 * One tracked call, built once and carried unchanged through consumers, stores and destinations.
 * `id` is the event's `$insert_id` (kept across retries so receivers can deduplicate); profile
 * updates get a generated id used only inside eventwire.
 *
 * Messages are built by {@link createMessage} (from a body) or {@link messageFromJson} (from wire
 * JSON), never by hand: every field is fixed when the message is built, and `bytes` is always the
 * size of `json`. eventwire's consumers rebuild any other object handed to them once, when they
 * take it (see {@link adoptMessage}).
 */
export interface Message {
  /** `$insert_id` for events and imports; an internal id for profile updates. */
  readonly id: string
  /** The endpoint this message is for. */
  readonly kind: Endpoint
  /** The plain JSON body in Mixpanel's documented shape. */
  readonly body: JsonObject
  /** The wire JSON of `body`. */
  readonly json: string
  /** UTF-8 byte length of `json`. */
  readonly bytes: number
  /** When the message was built, in milliseconds since the epoch. */
  readonly createdAt: number
}

/**
 * A message body not yet serialised: the client snapshots an event's properties when `track()` is
 * called and leaves writing the JSON to the consumer's intake, after the caller's code has moved
 * on. `render` must return the same JSON object text every time and must not throw.
 */
export interface MessageDraft {
  /** The wire JSON of the body, carrying `id` as its `$insert_id` where it has one. */
  render(id: string): string
}

/** Marks messages built here, also by another copy of eventwire loaded in the same process. */
const BUILT = Symbol.for('eventwire.message')

/**
 * The one implementation of {@link Message}. Its kind and time are fixed at construction, and its
 * id too unless it is to be generated: then it is drawn once, when first read (at the latest when
 * the JSON is written), and never changes. Its JSON is given, or rendered once from a draft when
 * first read, and `bytes` is always measured from that JSON. `body` is parsed from the JSON when
 * first read, unless it was given: queued messages then hold just their wire JSON.
 */
class WireMessage implements Message {
  readonly kind: Endpoint
  readonly createdAt: number
  /** See {@link waiterOf}. */
  waiter: unknown = undefined
  #id: string | undefined
  #json: string | undefined
  #bytes: number
  #body: JsonObject | undefined
  #draft: MessageDraft | undefined

  constructor(
    kind: Endpoint,
    id: string | undefined,
    createdAt: number,
    json: string | undefined,
    body: JsonObject | undefined,
    draft: MessageDraft | undefined,
  ) {
    this.kind = kind
    // Kept flat while the message waits, not as the rope that concatenation builds.
    this.#id = id === undefined ? undefined : flatten(id)
    this.createdAt = createdAt
    this.#json = json === undefined ? undefined : flatten(json)
    this.#bytes = json === undefined ? -1 : Buffer.byteLength(json)
    this.#body = body
    this.#draft = draft
  }

  get id(): string {
    // A generated id costs the caller of `track()` nothing: it is drawn when the JSON is written.
    this.#id ??= newInsertId()
    return this.#id
  }

  get json(): string {
    return this.#json ?? this.#render()
  }

  get bytes(): number {
    if (this.#json === undefined) this.#render()
    return this.#bytes
  }

  get body(): JsonObject {
    this.#body ??= JSON.parse(this.json) as JsonObject
    return this.#body
  }

  /** Writes the draft's JSON: the same text whenever it happens, since the id is fixed once read. */
  #render(): string {
    const json = flatten(this.#draft!.render(this.id))
    this.#json = json
    this.#bytes = Buffer.byteLength(json)
    this.#draft = undefined
    return json
  }

  toJSON(): { id: string; kind: Endpoint; body: JsonObject; createdAt: number } {
    return { id: this.id, kind: this.kind, body: this.body, createdAt: this.createdAt }
  }
}
Object.defineProperty(WireMessage.prototype, BUILT, { value: true })

/**
 * Builds a {@link Message} from a JSON-safe body, serialised here. The message owns `body`: change
 * neither it nor anything in it afterwards.
 *
 * This is how to build messages handed to a consumer directly (`consumer.send(kind, message)`).
 * @param id The `$insert_id` of an event (also set it in `body.properties` for Mixpanel), or any id
 *   unique among profile updates.
 * @param createdAt When the message was built, in milliseconds since the epoch.
 * @throws {TypeError} when `kind` is not an endpoint, `id` is not a non-empty string, `createdAt`
 *   is not a number, or `body` is not an object `JSON.stringify` can write.
 */
export function createMessage(kind: Endpoint, id: string, body: JsonObject, createdAt: number): Message {
  checkFields(kind, id, createdAt)
  const json: unknown = JSON.stringify(body)
  if (typeof json !== 'string' || json.charCodeAt(0) !== 0x7b /* { */) {
    throw new TypeError(`a message body must be a JSON object, not ${describe(body)}`)
  }
  return new WireMessage(kind, id, createdAt, json, body, undefined)
}

/**
 * Builds a {@link Message} from its wire JSON (a JSON object's text, as a store kept it); `body`
 * is parsed when first read. The JSON is trusted, not parsed here.
 * @throws {TypeError} when `kind`, `id` or `createdAt` is invalid, or `json` is not a string.
 */
export function messageFromJson(kind: Endpoint, id: string, json: string, createdAt: number): Message {
  checkFields(kind, id, createdAt)
  if (typeof json !== 'string')
    throw new TypeError(`a message's JSON must be a string, not ${describe(json)}`)
  return new WireMessage(kind, id, createdAt, json, undefined, undefined)
}

/**
 * Builds a {@link Message} whose JSON is rendered from `draft` once, when first needed (reading
 * `json`, `bytes` or `body`). `id` undefined asks for a new random one ({@link newInsertId}),
 * drawn when first read and fixed from then on.
 */
export function draftMessage(
  kind: Endpoint,
  id: string | undefined,
  draft: MessageDraft,
  createdAt: number,
): Message {
  return new WireMessage(kind, id, createdAt, undefined, undefined, draft)
}

/**
 * The one thing a message carries besides its content: a note a delivery engine leaves on it
 * while a call waits for it (the call's ticket), so that finding the call costs no lookup. Only
 * one engine can hold it; engines that find it taken keep their own index. Not part of
 * {@link Message}: nothing outside the engines reads it, and it never reaches a store or the wire.
 */
export function waiterOf(message: Message): unknown {
  return (message as WireMessage).waiter
}

/** Sets (or clears, with undefined) the note {@link waiterOf} reads. */
export function setWaiter(message: Message, waiter: unknown): void {
  ;(message as WireMessage).waiter = waiter
}

/** The messages of one `send()` call, one or a list, as a list. */
export function messageList(message: Message | readonly Message[]): readonly Message[] {
  return Array.isArray(message) ? (message as readonly Message[]) : [message as Message]
}

/** True when `value` was built by this module's factories (by any copy of eventwire). */
export function isBuiltMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && (value as { [BUILT]?: unknown })[BUILT] === true
}

/**
 * `value` as a built {@link Message}: itself when it is one, otherwise rebuilt once from its `json`
 * (parsed, so it must be a JSON object's text; `bytes` is measured again) or, without a `json`
 * string, from its `body`. Where eventwire takes messages from outside (a consumer's `send()`),
 * everything after can then rely on the message.
 * @throws {TypeError} (or what reading `value` threw) when it cannot be a message.
 */
export function adoptMessage(value: unknown): Message {
  if (isBuiltMessage(value)) return value
  if (typeof value !== 'object' || value === null)
    throw new TypeError(`expected a message, got ${describe(value)}`)
  const given = value as Partial<Message>
  const { kind, id, createdAt } = given
  checkFields(kind, id, createdAt)
  const json: unknown = given.json
  if (typeof json === 'string') {
    const body: unknown = JSON.parse(json)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TypeError(`a message's JSON must be a JSON object, not ${describe(body)}`)
    }
    return new WireMessage(kind, id as string, createdAt as number, json, body as JsonObject, undefined)
  }
  const body: unknown = given.body
  if (typeof body !== 'object' || body === null) {
    throw new TypeError(`its json is ${describe(json)} and its body ${describe(body)}`)
  }
  return createMessage(kind, id as string, body as JsonObject, createdAt as number)
}

function checkFields(kind: unknown, id: unknown, createdAt: unknown): asserts kind is Endpoint {
  if (!isEndpoint(kind)) throw new TypeError(`a message's kind must be an endpoint, not ${describe(kind)}`)
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`a message's id must be a non-empty string, not ${describe(id)}`)
  }
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) {
    throw new TypeError(`a message's createdAt must be a time in milliseconds, not ${describe(createdAt)}`)
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.length > 40 ? 'a string' : JSON.stringify(value)
  return typeof value === 'object' || typeof value === 'function' ? `a ${typeof value}` : String(value)
}
