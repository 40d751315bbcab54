import { ValidationError } from '../errors/index.js'
import { type Clock, LIB_VERSION, optionList } from '../internal/index.js'
import {
  createMessage,
  draftMessage,
  type Endpoint,
  flatten,
  isValidInsertId,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageDraft,
  newInsertId,
} from '../message/index.js'
import type { PlanViolation } from '../plan/index.js'
import { toEpochMs } from './dates.js'
import { eventProperties, SnapshotWalks } from './event-properties.js'
import {
  checkDistinctId,
  checkEventName,
  checkLength,
  FORBIDDEN_DISTINCT_IDS,
  looksLikeEmail,
} from './identity.js'
import { LIMITS } from './limits.js'
import { PlanDrop, type PlanGate } from './plan-gate.js'

/** A warning about a call that was accepted but is probably a mistake. */
export interface ClientWarning {
  /** Stable warning code, e.g. `distinct_id_looks_like_email`. */
  code: 'distinct_id_looks_like_email'
  message: string
  /** The method that produced it, e.g. `track`. */
  method: string
}

/**
 * Modifiers added to every profile update (`/engage`, `/groups`). Server-side defaults: `ip: 0`
 * (do not geolocate from the server's address) and `ignoreTime: true` (do not bump `$last_seen`).
 * `null` leaves the modifier out.
 */
export interface ProfileModifiers {
  /** `$ip`: an address to geolocate from, or `0` to skip geolocation. @default 0 */
  ip?: string | number | null
  /** `$ignore_time`: do not update `$last_seen`. @default true */
  ignoreTime?: boolean | null
  /** `$time`: when the update happened (Date or epoch seconds/milliseconds, sent as milliseconds). */
  time?: Date | number | null
  /** `$ignore_alias`: with delete, do not resolve aliases. */
  ignoreAlias?: boolean | null
}

/** The names of {@link ProfileModifiers}. */
export const PROFILE_MODIFIERS = optionList<ProfileModifiers>()({
  ip: true,
  ignoreTime: true,
  time: true,
  ignoreAlias: true,
})

const LIB_VERSION_FIELD = `,"$lib_version":${JSON.stringify(LIB_VERSION)}`
const NONE: Readonly<Record<string, unknown>> = Object.freeze({})
/** Bytes of an event's JSON besides its name, distinct id and properties (fields, token excluded). */
const EVENT_FRAME_BYTES = 160 + LIB_VERSION_FIELD.length

const EVENT_HEADS_MAX = 1000

/**
 * The start of events' wire JSON for one project token, `{"event":<name>,"properties":{"token":<token>`,
 * by event name: names repeat, so each is escaped once.
 */
class EventHeads {
  readonly #tokenJson: string
  readonly #heads = new Map<string, string>()

  constructor(tokenJson: string) {
    this.#tokenJson = tokenJson
  }

  get(event: string): string {
    let head = this.#heads.get(event)
    if (head === undefined) {
      if (this.#heads.size >= EVENT_HEADS_MAX) this.#heads.clear()
      head = flatten(`{"event":${JSON.stringify(event)},"properties":{"token":${this.#tokenJson}`)
      this.#heads.set(event, head)
    }
    return head
  }
}

/**
 * An event as `track()` took it, written as Mixpanel wire JSON when first needed: eventwire's
 * fields, then the snapshot of the caller's properties as serialised by one `JSON.stringify`.
 */
class EventDraft implements MessageDraft {
  readonly #heads: EventHeads
  readonly #event: string
  readonly #distinctId: string | undefined
  readonly #time: number
  readonly #properties: JsonObject

  constructor(
    heads: EventHeads,
    event: string,
    distinctId: string | undefined,
    time: number,
    properties: JsonObject,
  ) {
    this.#heads = heads
    this.#event = event
    this.#distinctId = distinctId
    this.#time = time
    this.#properties = properties
  }

  render(id: string): string {
    const props = this.#properties
    let json = this.#heads.get(this.#event)
    if (this.#distinctId !== undefined) json += `,"distinct_id":${JSON.stringify(this.#distinctId)}`
    // $insert_id is validated to [A-Za-z0-9-]: nothing to escape.
    json += `,"time":${this.#time},"$insert_id":"${id}"`
    if (props.mp_lib === undefined) json += ',"mp_lib":"eventwire"'
    if (props.$lib_version === undefined) json += LIB_VERSION_FIELD
    const rest = JSON.stringify(props)
    return rest.length > 2 ? `${json},${rest.slice(1)}}` : `${json}}}`
  }
}

/**
 * What building a call gives: its message or, with a tracking plan (`Gate` a `PlanGate`), a
 * {@link PlanDrop} when the plan policy drops the call.
 */
export type Built<Gate extends PlanGate | undefined> = Gate extends PlanGate ? Message | PlanDrop : Message

/**
 * Builds messages in Mixpanel's documented shapes. Throws `ValidationError` for bad input; with a
 * tracking plan, `PlanViolationError` when the policy rejects the call, and returns a
 * {@link PlanDrop} instead of the message when it drops it.
 */
export class MessageBuilder<Gate extends PlanGate | undefined = undefined> {
  readonly #token: string
  readonly #clock: Clock
  readonly #defaults: ProfileModifiers
  readonly #warn: (warning: ClientWarning) => void
  readonly #gate: Gate | undefined
  readonly #tokenJson: string
  readonly #heads: EventHeads
  /** Snapshots this client's event properties (its dates formatter remembers the last second). */
  readonly #walks = new SnapshotWalks()

  constructor(
    token: string,
    clock: Clock,
    defaults: ProfileModifiers,
    warn: (warning: ClientWarning) => void,
    gate?: Gate,
  ) {
    this.#token = token
    this.#clock = clock
    this.#defaults = defaults
    this.#warn = warn
    this.#gate = gate
    this.#tokenJson = JSON.stringify(token)
    this.#heads = new EventHeads(this.#tokenJson)
  }

  /** The client's clock reading, in milliseconds. */
  now(): number {
    return this.#clock.now()
  }

  /** An event for `/track` (`events`) or `/import` (`imports`). */
  event(
    kind: 'events' | 'imports',
    method: string,
    distinctId: unknown,
    name: unknown,
    properties: unknown,
    time?: unknown,
  ): Built<Gate> {
    const called = checkEventName(name)
    const raw =
      properties !== null && typeof properties === 'object' ? (properties as Record<string, unknown>) : NONE
    // Mixpanel's own events ($create_alias, $identify, $merge, $experiment_started) are not planned.
    const gate = called.startsWith('$') ? undefined : this.#gate
    const props = eventProperties(called, properties, this.#walks, gate)
    const event = props.name
    const values = props.values
    const forImport = kind === 'imports'
    let id: string | undefined
    if (distinctId === undefined || distinctId === null) {
      if (forImport || (values.$device_id === undefined && values.$user_id === undefined)) {
        throw new ValidationError(
          'EVENTWIRE_INVALID_ARGUMENT',
          forImport
            ? 'a distinct id is required'
            : 'a distinct id is required unless $device_id or $user_id is given',
          'distinctId',
        )
      }
    } else {
      id = checkDistinctId(distinctId, 'distinctId', forImport)
      if (looksLikeEmail(id)) {
        this.#warn({
          code: 'distinct_id_looks_like_email',
          method,
          message: `${method}: the distinct id looks like an e-mail address; use a stable, never-changing id (a UUID) and store the e-mail as a profile property`,
        })
      }
    }
    const insertId = this.#insertId(raw.$insert_id)
    const now = this.#clock.now()
    const ms =
      time !== undefined
        ? toEpochMs(time, 'time')
        : raw.time !== undefined
          ? toEpochMs(raw.time, 'properties.time')
          : now
    // The JSON is written when first needed (by a batch consumer, in its intake): nothing the
    // caller does to its objects after this call can change the event, which owns a snapshot.
    const draft = new EventDraft(this.#heads, event, id, ms, values)
    const message = draftMessage(kind, insertId, draft, now)
    const maxBytes =
      props.maxJsonBytes + 6 * (event.length + (id?.length ?? 0)) + this.#tokenJson.length + EVENT_FRAME_BYTES
    // Only a message that might be too large is serialised now, to refuse it in this call.
    if (maxBytes > LIMITS.maxMessageBytes) this.#checkSize(message)
    return this.#built(message, props.dropped)
  }

  /** A user profile update for `/engage`. */
  people(
    method: string,
    distinctId: unknown,
    operation: string,
    value: JsonValue,
    modifiers: ProfileModifiers | undefined,
  ): Built<Gate> {
    const id = checkDistinctId(distinctId, 'distinctId', false)
    if (looksLikeEmail(id)) {
      this.#warn({
        code: 'distinct_id_looks_like_email',
        method,
        message: `${method}: the distinct id looks like an e-mail address; use a stable, never-changing id (a UUID)`,
      })
    }
    const gated = this.#gate?.people(operation, value)
    const body: JsonObject = {
      $token: this.#token,
      $distinct_id: id,
      [operation]: gated ? gated.value : value,
    }
    this.#modifiers(body, modifiers)
    return this.#built(this.#finish('people', newInsertId(), body), gated?.violation)
  }

  /** A group profile update for `/groups`. */
  group(
    groupKey: unknown,
    groupId: unknown,
    operation: string,
    value: JsonValue,
    modifiers: ProfileModifiers | undefined,
  ): Built<Gate> {
    if (typeof groupKey !== 'string' || groupKey === '') {
      throw new ValidationError(
        'EVENTWIRE_INVALID_ARGUMENT',
        'group key must be a non-empty string',
        'groupKey',
      )
    }
    if (typeof groupId !== 'string' && !(typeof groupId === 'number' && Number.isFinite(groupId))) {
      throw new ValidationError(
        'EVENTWIRE_INVALID_ARGUMENT',
        'group id must be a string or a number',
        'groupId',
      )
    }
    checkLength(groupKey, LIMITS.maxNameLength, 'group key', 'groupKey')
    if (typeof groupId === 'string') checkLength(groupId, LIMITS.maxIdLength, 'group id', 'groupId')
    const gated = this.#gate?.group(groupKey, operation, value)
    const body: JsonObject = {
      $token: this.#token,
      $group_key: groupKey,
      $group_id: groupId,
      [operation]: gated ? gated.value : value,
    }
    this.#modifiers(body, modifiers)
    return this.#built(this.#finish('groups', newInsertId(), body), gated?.violation)
  }

  /** The message, or a {@link PlanDrop} of it when the plan policy drops the call. */
  #built(message: Message, dropped: PlanViolation | undefined): Built<Gate> {
    // Only a builder with a gate has violations: the cast cannot widen what a gate-less one returns.
    return (dropped === undefined ? message : new PlanDrop(message, dropped)) as Built<Gate>
  }

  #modifiers(body: JsonObject, call: ProfileModifiers | undefined): void {
    const ip = call?.ip !== undefined ? call.ip : this.#defaults.ip
    const ignoreTime = call?.ignoreTime !== undefined ? call.ignoreTime : this.#defaults.ignoreTime
    const time = call?.time !== undefined ? call.time : this.#defaults.time
    const ignoreAlias = call?.ignoreAlias !== undefined ? call.ignoreAlias : this.#defaults.ignoreAlias
    if (ip !== null && ip !== undefined) {
      if (typeof ip !== 'string' && typeof ip !== 'number') {
        throw new ValidationError(
          'EVENTWIRE_INVALID_ARGUMENT',
          'ip must be an address string or 0',
          'options.ip',
        )
      }
      body.$ip = ip
    }
    if (ignoreTime !== null && ignoreTime !== undefined) body.$ignore_time = Boolean(ignoreTime)
    if (time !== null && time !== undefined) body.$time = toEpochMs(time, 'options.time')
    if (ignoreAlias !== null && ignoreAlias !== undefined) body.$ignore_alias = Boolean(ignoreAlias)
  }

  /** The caller's valid `$insert_id`, or undefined for a new one (drawn by the message). */
  #insertId(given: unknown): string | undefined {
    if (given === undefined) return undefined
    if (!isValidInsertId(given)) {
      throw new ValidationError(
        'EVENTWIRE_INVALID_INSERT_ID',
        '$insert_id must be 1 to 36 characters of A-Z, a-z, 0-9 and -',
        'properties.$insert_id',
      )
    }
    if (FORBIDDEN_DISTINCT_IDS.has(given.toLowerCase())) {
      throw new ValidationError(
        'EVENTWIRE_INVALID_INSERT_ID',
        `${JSON.stringify(given)} is a placeholder value Mixpanel rejects`,
        'properties.$insert_id',
      )
    }
    return given
  }

  #finish(kind: Endpoint, id: string, body: JsonObject): Message {
    const message = createMessage(kind, id, body, this.#clock.now())
    this.#checkSize(message)
    return message
  }

  #checkSize(message: Message): void {
    if (message.bytes > LIMITS.maxMessageBytes) {
      throw new ValidationError(
        'EVENTWIRE_LIMIT_EXCEEDED',
        `message is ${message.bytes} bytes of JSON, more than Mixpanel's limit of ${LIMITS.maxMessageBytes}`,
      )
    }
  }
}
