import { FORBIDDEN_DISTINCT_IDS, LIMITS } from '../client/index.js'
import { isValidInsertId, type JsonObject, type JsonValue } from '../message/index.js'
import { type CollectorIssue, type NewItem, newItem } from './types.js'

/** What Mixpanel's rules need besides the record. */
export interface RuleContext {
  /** The collector's clock reading, in milliseconds. */
  now: number
  /** The project token the collector expects, when one was configured. */
  token: string | undefined
}

/** The update operations Mixpanel applies to profiles, in the order they are applied. */
export const PROFILE_OPERATIONS = [
  '$set',
  '$set_once',
  '$add',
  '$append',
  '$union',
  '$remove',
  '$unset',
  '$delete',
] as const

const FIVE_DAYS_MS = 5 * 24 * 60 * 60 * 1000
/** Mixpanel refuses events before 1971-01-01. */
const EARLIEST_MS = Date.UTC(1971, 0, 1)

/**
 * Checks one `/track` or `/import` record against Mixpanel's documented rules (required fields,
 * token, time, `$insert_id`, forbidden distinct ids, size, property count, nesting) and returns it
 * as an item. `json` is the record's JSON text (for the size check).
 */
export function checkEventRecord(
  record: unknown,
  endpoint: '/track' | '/import',
  json: string,
  ctx: RuleContext,
): NewItem {
  const issues: CollectorIssue[] = []
  const add = (code: string, path: string, message: string) =>
    issues.push({ code, path, message, source: 'mixpanel' })
  const item = newItem('mixpanel', endpoint, 'event', record as JsonValue, issues)
  if (!isObject(record)) {
    add('invalid_record', '', 'an event must be a JSON object { event, properties }')
    return finish(item)
  }
  const forImport = endpoint === '/import'
  if (typeof record.event === 'string' && record.event.trim() !== '') item.name = record.event
  else add('missing_event_name', 'event', 'event must be a non-empty string')
  const props = record.properties
  if (!isObject(props)) {
    add('invalid_properties', 'properties', 'properties must be an object carrying at least the token')
    return finish(item)
  }
  checkToken(props.token, 'properties.token', ctx, add)

  const distinctId = props.distinct_id
  if (typeof distinctId === 'string' || (typeof distinctId === 'number' && Number.isFinite(distinctId))) {
    item.distinctId = String(distinctId)
    if (forImport && FORBIDDEN_DISTINCT_IDS.has(item.distinctId.trim().toLowerCase())) {
      add(
        'forbidden_distinct_id',
        'properties.distinct_id',
        `${JSON.stringify(item.distinctId)} is a placeholder value /import rejects`,
      )
    }
  } else if (distinctId !== undefined) {
    add('invalid_distinct_id', 'properties.distinct_id', 'distinct_id must be a string')
  } else if (forImport) {
    add('missing_distinct_id', 'properties.distinct_id', '/import requires properties.distinct_id')
  } else {
    const derived = props.$user_id ?? props.$device_id
    if (typeof derived === 'string') item.distinctId = derived
  }

  const insertId = props.$insert_id
  if (insertId === undefined) {
    if (forImport) add('missing_insert_id', 'properties.$insert_id', '/import requires properties.$insert_id')
  } else if (!isValidInsertId(insertId) || FORBIDDEN_DISTINCT_IDS.has(insertId.toLowerCase())) {
    add(
      'invalid_insert_id',
      'properties.$insert_id',
      '$insert_id must be 1 to 36 characters of A-Z, a-z, 0-9 and -',
    )
  } else {
    item.insertId = insertId
  }

  checkTime(props.time, forImport, ctx, item, add)
  checkSize(json, add)
  let count = 0
  for (const key in props) {
    count++
    checkNesting(props[key] as JsonValue, `properties.${key}`, 1, add)
  }
  if (count > LIMITS.maxProperties) {
    add(
      'too_many_properties',
      'properties',
      `${count} properties, more than Mixpanel's limit of ${LIMITS.maxProperties}`,
    )
  }
  return finish(item)
}

/**
 * Checks one `/engage` or `/groups` record: the identifiers, the token, at least one operation, the
 * operation value types, size and nesting.
 */
export function checkUpdateRecord(
  record: unknown,
  endpoint: '/engage' | '/groups',
  json: string,
  ctx: RuleContext,
): NewItem {
  const issues: CollectorIssue[] = []
  const add = (code: string, path: string, message: string) =>
    issues.push({ code, path, message, source: 'mixpanel' })
  const kind = endpoint === '/engage' ? 'user' : 'group'
  const item = newItem('mixpanel', endpoint, kind, record as JsonValue, issues)
  if (!isObject(record)) {
    add('invalid_record', '', 'a profile update must be a JSON object')
    return finish(item)
  }
  checkToken(record.$token, '$token', ctx, add)
  const idKey = kind === 'user' ? '$distinct_id' : '$group_id'
  const id = record[idKey]
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) item.distinctId = String(id)
  else add(kind === 'user' ? 'missing_distinct_id' : 'missing_group_id', idKey, `${idKey} must be a string`)
  if (kind === 'group') {
    if (typeof record.$group_key === 'string' && record.$group_key !== '') item.groupKey = record.$group_key
    else add('missing_group_key', '$group_key', '$group_key must be a non-empty string')
  }
  const operations = PROFILE_OPERATIONS.filter((op) => op in record)
  if (operations.length === 0) {
    add('missing_operation', '', `an update needs one of ${PROFILE_OPERATIONS.join(', ')}`)
  }
  item.name = operations.join(' ') || null
  for (const op of operations) checkOperation(op, record[op] as JsonValue, add)
  checkSize(json, add)
  return finish(item)
}

type AddIssue = (code: string, path: string, message: string) => void

function checkOperation(op: string, value: JsonValue, add: AddIssue): void {
  if (op === '$delete') return
  if (op === '$unset') {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      add('invalid_operation', op, '$unset takes a list of property names')
    }
    return
  }
  if (!isObject(value)) {
    add('invalid_operation', op, `${op} takes an object of property names and values`)
    return
  }
  for (const key in value) {
    const v = value[key] as JsonValue
    const path = `${op}.${key}`
    if (op === '$add' && typeof v !== 'number') add('invalid_operation', path, '$add takes numbers')
    else if (op === '$union' && !Array.isArray(v)) add('invalid_operation', path, '$union takes lists')
    checkNesting(v, path, 1, add)
  }
}

function checkToken(token: unknown, path: string, ctx: RuleContext, add: AddIssue): void {
  if (typeof token !== 'string' || token === '') {
    add('missing_token', path, 'the project token is missing: Mixpanel ignores data without one')
  } else if (ctx.token !== undefined && token !== ctx.token) {
    add('wrong_token', path, 'the project token is not the one this collector was started with')
  }
}

function checkTime(value: unknown, forImport: boolean, ctx: RuleContext, item: NewItem, add: AddIssue): void {
  if (value === undefined) {
    if (forImport) add('missing_time', 'properties.time', '/import requires properties.time')
    return
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    add('invalid_time', 'properties.time', 'time must be a number of seconds or milliseconds since the epoch')
    return
  }
  const ms = value < 1e11 ? Math.round(value * 1000) : Math.round(value)
  item.time = ms
  if (ms < EARLIEST_MS) {
    add('time_out_of_range', 'properties.time', 'events before 1971-01-01 are rejected')
  } else if (!forImport && ms < ctx.now - FIVE_DAYS_MS) {
    add('time_too_old', 'properties.time', '/track only accepts events from the last 5 days; use /import')
  }
}

function checkSize(json: string, add: AddIssue): void {
  // A UTF-8 byte count is at most 3 per UTF-16 unit, so short texts skip the exact count.
  const bytes = json.length * 3 < LIMITS.maxMessageBytes ? 0 : Buffer.byteLength(json)
  if (bytes >= LIMITS.maxMessageBytes) {
    add('too_large', '', `${bytes} bytes of JSON, Mixpanel's limit is under ${LIMITS.maxMessageBytes}`)
  }
}

/** Walks a property value; `depth` is the nesting level a container here would have. */
function checkNesting(value: JsonValue, path: string, depth: number, add: AddIssue): void {
  if (typeof value !== 'object' || value === null) return
  if (depth > LIMITS.maxDepth) {
    add('too_deep', path, `nested deeper than Mixpanel's limit of ${LIMITS.maxDepth} levels`)
    return
  }
  if (Array.isArray(value)) {
    if (value.length > LIMITS.maxCollection) {
      add(
        'too_many_items',
        path,
        `${value.length} items, more than Mixpanel's limit of ${LIMITS.maxCollection}`,
      )
    }
    for (let i = 0; i < value.length; i++) checkNesting(value[i]!, `${path}[${i}]`, depth + 1, add)
    return
  }
  let count = 0
  for (const key in value) {
    count++
    checkNesting(value[key]!, `${path}.${key}`, depth + 1, add)
  }
  if (count > LIMITS.maxCollection) {
    add('too_many_items', path, `${count} keys, more than Mixpanel's limit of ${LIMITS.maxCollection}`)
  }
}

function finish(item: NewItem): NewItem {
  item.accepted = item.issues.length === 0
  return item
}

/** True for a plain JSON object (not null, not a list). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
