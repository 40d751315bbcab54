import { type RejectedMessage, StoreError } from '../errors/index.js'
import { createMessage, type Endpoint, isEndpoint, type Message, messageFromJson } from '../message/index.js'

/** The fields of a message as a durable store read them back, unchecked. */
export interface StoredFields {
  readonly kind: unknown
  readonly id: unknown
  readonly json: unknown
  readonly createdAt: unknown
}

/** A row or entry that did not read back as a message. */
export interface Unreadable {
  readonly fields: StoredFields
  /** Where it was, for people: `row 17`, `entry 0-17 of {eventwire}:events`. */
  readonly place: string
  /** What is wrong with it, never its content. */
  readonly problem: string
}

/**
 * Rebuilds a message from what a durable store read back, or says why it cannot be one: its kind
 * must be an endpoint, its id a non-empty string, its time a number, and its JSON the text of a
 * JSON object. The JSON is parsed here, once per lease, so that one damaged row is set apart
 * instead of making the whole request body invalid (the destinations join the messages' JSON
 * texts as they are).
 */
export function readStored(fields: StoredFields): Message | string {
  const { kind, id, json } = fields
  const createdAt = toTime(fields.createdAt)
  if (!isEndpoint(kind)) return 'its kind is not an endpoint'
  if ((id ?? '') === '' && (json ?? '') === '') return 'it holds no message'
  if (typeof id !== 'string' || id === '') return 'it has no id'
  if (Number.isNaN(createdAt)) return 'its creation time is not a number'
  if (typeof json !== 'string') return 'its JSON is not text'
  let body: unknown
  try {
    body = JSON.parse(json)
  } catch {
    // The parser's message quotes the text: not repeated, the row may hold personal data.
    return 'its JSON is not valid'
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'its JSON is not an object'
  return messageFromJson(kind, id, json, createdAt)
}

/**
 * The drops a lease reports for rows it removed because they were unreadable: one stand-in
 * message each (the row's id, kind and time where readable, an empty body), all with one
 * not-retryable `EVENTWIRE_STORE_ERROR` naming the store and the rows.
 * @param store The store, for people: `SQLite store /var/lib/app/events.db`.
 */
export function unreadableDrops(store: string, rows: readonly Unreadable[]): RejectedMessage[] {
  const named = rows.slice(0, MAX_NAMED).map((row) => {
    const id =
      typeof row.fields.id === 'string' && row.fields.id !== '' ? ` (id ${short(row.fields.id)})` : ''
    return `${row.place}${id}: ${row.problem}`
  })
  const more = rows.length > MAX_NAMED ? `; and ${rows.length - MAX_NAMED} more` : ''
  const error = new StoreError(
    'EVENTWIRE_STORE_ERROR',
    `${store}: removed ${rows.length} unreadable message(s), dropped as corrupt: ${named.join('; ')}${more}`,
    { retryable: false },
  )
  return rows.map((row) => ({ message: standIn(row), reason: 'corrupt', error }))
}

/** Any message read from a store: itself when readable, else its stand-in (an evicted row). */
export function storedOrStandIn(fields: StoredFields): Message {
  const message = readStored(fields)
  return typeof message === 'string' ? standIn({ fields, place: '', problem: message }) : message
}

/**
 * A count (a size in bytes, delivery attempts) as a store gives it back, a number from SQLite or
 * digits from Redis; 0 when it is not one (a damaged row or entry).
 */
export function storedCount(value: unknown): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : 0
}

/** Rows named in one error; the others are counted. */
const MAX_NAMED = 10

function standIn(row: Unreadable): Message {
  const { kind, id } = row.fields
  const createdAt = toTime(row.fields.createdAt)
  const endpoint: Endpoint = isEndpoint(kind) ? kind : 'events'
  const name = typeof id === 'string' && id !== '' ? id : row.place || 'unreadable'
  return createMessage(endpoint, name, {}, Number.isNaN(createdAt) ? 0 : createdAt)
}

/** A time as a store gives it back (a number from SQLite, digits from Redis); NaN when it is none. */
function toTime(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN
  if (typeof value !== 'string' || value.trim() === '') return Number.NaN
  const time = Number(value)
  return Number.isFinite(time) ? time : Number.NaN
}

function short(id: string): string {
  return JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id)
}
