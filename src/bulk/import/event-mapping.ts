import crypto, { createHash } from 'node:crypto'
import { ConfigError, ValidationError } from '../../errors/index.js'
import { checkOptions, enumOption, optionList, stringOption } from '../../internal/index.js'
import type { JsonObject, JsonValue } from '../../message/index.js'

/** How the fields of an input row become an event. Without options, rows are Mixpanel-shaped. */
export interface EventMapping {
  /** Field holding the event name. @default 'event' */
  eventField?: string
  /** Field holding the distinct id. @default 'distinct_id' */
  distinctIdField?: string
  /** Field holding the time (seconds or milliseconds since the epoch, or an ISO-8601 date). @default 'time' */
  timeField?: string
  /** Field holding a ready-made `$insert_id`. @default '$insert_id' */
  insertIdField?: string
  /**
   * When set, only fields whose names start with this prefix become properties, without it
   * (`--property-prefix prop_`: `prop_plan` → `plan`). Otherwise every other field does.
   */
  propertyPrefix?: string
  /**
   * Unit of numeric times: `auto` takes values below 10^11 as seconds and larger ones as
   * milliseconds (the same rule as Mixpanel's and the client's).
   * @default 'auto'
   */
  timeUnit?: 'auto' | 's' | 'ms'
}

/** The names of {@link EventMapping}. */
export const EVENT_MAPPING_OPTIONS = optionList<EventMapping>()({
  eventField: true,
  distinctIdField: true,
  timeField: true,
  insertIdField: true,
  propertyPrefix: true,
  timeUnit: true,
})

/** One input row as an event, before it becomes a message. */
export interface MappedEvent {
  readonly event: string
  readonly distinctId: unknown
  /** Milliseconds since the epoch. */
  readonly timeMs: number
  /**
   * Properties to send. May hold `distinct_id`, `time`, `token` and `$insert_id`, which the
   * message builder and {@link contentInsertId} ignore.
   */
  readonly properties: JsonObject
  /** The row's own `$insert_id`, if it had one. */
  readonly insertId: unknown
}

interface ResolvedMapping {
  /** Fields that are not properties (event, distinct id, time, insert id). */
  readonly fields: ReadonlySet<string>
  /** True for the default field names: Mixpanel-shaped properties are used as they are. */
  readonly standard: boolean
  readonly eventField: string
  readonly distinctIdField: string
  readonly timeField: string
  readonly insertIdField: string
  readonly propertyPrefix: string | undefined
  readonly timeUnit: 'auto' | 's' | 'ms'
}

/** 1971-01-01T00:00:00Z: `/import` refuses anything earlier. */
const EARLIEST_MS = 31_536_000_000
const RESERVED = new Set(['token', 'distinct_id', 'time', '$insert_id'])
const NUMERIC = /^-?\d+(\.\d+)?$/
const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

/** Validates an {@link EventMapping}. @throws {ConfigError} naming the option. */
export function resolveMapping(mapping: EventMapping = {}): ResolvedMapping {
  checkOptions(mapping, EVENT_MAPPING_OPTIONS, 'mapping')
  const prefix = mapping.propertyPrefix
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    throw new ConfigError('propertyPrefix', 'expected a non-empty string')
  }
  const eventField = stringOption('eventField', mapping.eventField, 'event')
  const distinctIdField = stringOption('distinctIdField', mapping.distinctIdField, 'distinct_id')
  const timeField = stringOption('timeField', mapping.timeField, 'time')
  const insertIdField = stringOption('insertIdField', mapping.insertIdField, '$insert_id')
  return {
    fields: new Set([eventField, distinctIdField, timeField, insertIdField]),
    standard:
      prefix === undefined &&
      eventField === 'event' &&
      distinctIdField === 'distinct_id' &&
      timeField === 'time' &&
      insertIdField === '$insert_id',
    eventField,
    distinctIdField,
    timeField,
    insertIdField,
    propertyPrefix: prefix,
    timeUnit: enumOption('timeUnit', mapping.timeUnit, ['auto', 's', 'ms'] as const, 'auto'),
  }
}

/**
 * Reads one row as an event. A Mixpanel-shaped row (`{ event, properties }`) is read as its
 * properties plus `event`; any other object is read as flat fields. Field names are looked up as
 * given (no dotted paths).
 *
 * @throws {ValidationError} when the row is not an object, or the name or time is missing or
 *   unreadable; the error's `path` names the field.
 */
export function mapRecord(value: unknown, mapping: ResolvedMapping): MappedEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'a record must be a JSON object')
  }
  const row = value as Record<string, unknown>
  const nested = row.properties
  const mixpanelShaped =
    typeof row.event === 'string' && nested !== null && typeof nested === 'object' && !Array.isArray(nested)
  const fields = mixpanelShaped ? (nested as Record<string, unknown>) : row

  const event = field(row, fields, mixpanelShaped, mapping.eventField)
  if (typeof event !== 'string' || event.trim() === '') {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'no event name', mapping.eventField)
  }
  const timeMs = parseTime(
    field(row, fields, mixpanelShaped, mapping.timeField),
    mapping.timeUnit,
    mapping.timeField,
  )
  let properties: JsonObject
  if (mixpanelShaped && mapping.standard) {
    // The record's own properties object: the reserved keys it holds (distinct_id, time, token,
    // $insert_id) are skipped by the message builder and by the insert-id hash.
    properties = nested as JsonObject
  } else {
    properties = {}
    const prefix = mapping.propertyPrefix
    for (const key in fields) {
      if (!Object.hasOwn(fields, key)) continue
      let name = key
      if (prefix !== undefined) {
        if (!key.startsWith(prefix) || key.length === prefix.length) continue
        name = key.slice(prefix.length)
      } else if (mapping.fields.has(key)) continue
      if (RESERVED.has(name)) continue
      const v = fields[key]
      if (v !== undefined) properties[name] = v as JsonValue
    }
  }
  return {
    event,
    distinctId: field(row, fields, mixpanelShaped, mapping.distinctIdField),
    timeMs,
    properties,
    insertId: field(row, fields, mixpanelShaped, mapping.insertIdField),
  }
}

function field(
  row: Record<string, unknown>,
  fields: Record<string, unknown>,
  nested: boolean,
  name: string,
): unknown {
  if (nested && name === 'event') return row.event
  return Object.hasOwn(fields, name) ? fields[name] : undefined
}

/**
 * Reads a time: a number (seconds or milliseconds, see `unit`), a numeric string, or an ISO-8601
 * date (without a zone it is taken as UTC). @throws {ValidationError} naming `path`.
 */
export function parseTime(value: unknown, unit: 'auto' | 's' | 'ms', path: string): number {
  let n: number
  if (typeof value === 'number') n = value
  else if (typeof value === 'string' && NUMERIC.test(value.trim())) n = Number(value.trim())
  else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim()
    const ms = Date.parse(LOCAL_ISO.test(text) ? `${text.replace(' ', 'T')}Z` : text)
    if (Number.isNaN(ms)) {
      throw new ValidationError(
        'EVENTWIRE_INVALID_ARGUMENT',
        `cannot read ${JSON.stringify(text.slice(0, 40))} as a time`,
        path,
      )
    }
    return checkRange(ms, path)
  } else if (value === undefined || value === null || value === '') {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'no time (required by /import)', path)
  } else {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'expected a timestamp or an ISO-8601 date', path)
  }
  if (!Number.isFinite(n))
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'not a finite number', path)
  const seconds = unit === 's' || (unit === 'auto' && Math.abs(n) < 1e11)
  return checkRange(Math.round(seconds ? n * 1000 : n), path)
}

function checkRange(ms: number, path: string): number {
  if (ms < EARLIEST_MS) {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'before 1971-01-01, which /import refuses', path)
  }
  return ms
}

/**
 * A deterministic `$insert_id` from an event's content: the first 36 hex digits of a SHA-256 over
 * the name, distinct id, time and properties (keys sorted, so key order does not matter). The
 * same row always gets the same id, so importing a file twice creates no duplicates; two rows
 * identical in all of these are one event to Mixpanel.
 */
export function contentInsertId(
  event: string,
  distinctId: unknown,
  timeMs: number,
  properties: JsonObject,
): string {
  const text = `${event}\u0000${String(distinctId)}\u0000${timeMs}\u0000${stableStringify(properties, RESERVED)}`
  return sha256Hex(text).slice(0, 36)
}

/**
 * JSON with object keys sorted at every level, for hashing and comparing values. Top-level keys in
 * `skip` are left out.
 */
export function stableStringify(value: unknown, skip?: ReadonlySet<string>): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + stableStringify(value[i])
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  const keys: string[] = []
  let flat = true
  for (const key in record) {
    if (!Object.hasOwn(record, key) || skip?.has(key) === true) continue
    const v = record[key]
    if (v === undefined) continue
    keys.push(key)
    if (v !== null && typeof v === 'object') flat = false
  }
  keys.sort()
  if (flat) {
    // The common case: a sorted shallow copy and one native stringify.
    const copy: Record<string, unknown> = {}
    for (const key of keys) copy[key] = record[key]
    return JSON.stringify(copy)
  }
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    out += `${i === 0 ? '' : ','}${JSON.stringify(keys[i])}:${stableStringify(record[keys[i]!])}`
  }
  return `${out}}`
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash

/** SHA-256 of `text` in hex (one-shot where Node has `crypto.hash`, which allocates less). */
function sha256Hex(text: string): string {
  return oneShot !== undefined
    ? oneShot('sha256', text, 'hex')
    : createHash('sha256').update(text).digest('hex')
}
