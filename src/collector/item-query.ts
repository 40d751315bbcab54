import type { JsonObject, JsonValue } from '../message/index.js'
import type { ItemKind, ItemSource, StoredItem, Verdict } from './types.js'

/** A filter on one property: `plan = pro`, `plan != pro`, or `plan` (present). */
export interface PropertyFilter {
  /** Property name; a dotted name (`cart.total`) reaches into objects when no property has the whole name. */
  key: string
  op: '=' | '!=' | 'exists'
  /** The value compared with: scalars by their text, objects and lists by their JSON. */
  value?: string
}

/** Filters of `listItems` (and `GET /_/events`). Every given filter must hold. */
export interface ItemQuery {
  /** Good (`true`) or bad (`false`) items. */
  valid?: boolean
  /** Items with this verdict. */
  verdict?: Verdict
  name?: string
  /** The distinct id (events, user updates) or group id (group updates). */
  distinctId?: string
  /** The group key of group updates. */
  groupKey?: string
  kind?: ItemKind
  source?: ItemSource
  /** Items with an issue of this code. */
  issue?: string
  /** Items whose properties match (see {@link itemProperties}). */
  property?: PropertyFilter
  /** Case-insensitive text found in the name, distinct id, group key, source, endpoint or insert id. */
  text?: string
  /** Only items with a greater id (then oldest first). */
  after?: number
  /** Only items with a smaller id (for paging back, newest first). */
  before?: number
  /** Most items returned. */
  limit: number
  /** `desc` = newest first. */
  order: 'asc' | 'desc'
}

/** True when the query needs {@link matchesDetails}, i.e. more than the indexed columns. */
export function needsDetails(query: Omit<ItemQuery, 'limit' | 'order'>): boolean {
  return query.issue !== undefined || query.property !== undefined || query.text !== undefined
}

/** The verdict of an item. */
export function verdictOf(item: Pick<StoredItem, 'valid' | 'accepted'>): Verdict {
  return item.valid ? 'good' : item.accepted ? 'violation' : 'refused'
}

/** Whether an item matches every filter of `query` (limit, order and the id range aside). */
export function matchesItem(item: StoredItem, query: Omit<ItemQuery, 'limit' | 'order'>): boolean {
  if (query.valid !== undefined && item.valid !== query.valid) return false
  if (query.verdict !== undefined && verdictOf(item) !== query.verdict) return false
  if (query.name !== undefined && item.name !== query.name) return false
  if (query.distinctId !== undefined && item.distinctId !== query.distinctId) return false
  if (query.groupKey !== undefined && item.groupKey !== query.groupKey) return false
  if (query.kind !== undefined && item.kind !== query.kind) return false
  if (query.source !== undefined && item.source !== query.source) return false
  return matchesDetails(item, query)
}

/** The filters that look inside an item: issue code, property and text. */
export function matchesDetails(item: StoredItem, query: Omit<ItemQuery, 'limit' | 'order'>): boolean {
  if (query.issue !== undefined && !item.issues.some((issue) => issue.code === query.issue)) return false
  if (query.text !== undefined) {
    const text = query.text.toLowerCase()
    const fields = [item.name, item.distinctId, item.groupKey, item.source, item.endpoint, item.insertId]
    if (!fields.some((field) => typeof field === 'string' && field.toLowerCase().includes(text))) return false
  }
  if (query.property !== undefined && !matchesProperty(itemProperties(item), query.property)) return false
  return true
}

/**
 * The properties an item carries, for filters and the Plan tab: a Mixpanel event's `properties`;
 * a Snowplow event's payload fields with its self-describing data over them; the values of a
 * profile update's operations (`$set`, `$set_once`, `$add`...).
 */
export function itemProperties(
  item: Pick<StoredItem, 'source' | 'kind' | 'payload' | 'decoded'>,
): JsonObject {
  const payload = item.payload
  if (!isObject(payload)) return {}
  if (item.source === 'snowplow') {
    const unstruct = item.decoded?.unstruct
    const inner = isObject(unstruct) ? unstruct.data : undefined
    const data = isObject(inner) ? inner.data : undefined
    return isObject(data) ? { ...payload, ...data } : payload
  }
  if (item.kind === 'event') return isObject(payload.properties) ? payload.properties : {}
  const out: JsonObject = {}
  for (const key in payload) {
    const value = payload[key]
    if (key.startsWith('$') && isObject(value)) Object.assign(out, value)
  }
  return out
}

function matchesProperty(properties: JsonObject, filter: PropertyFilter): boolean {
  const value = lookUp(properties, filter.key)
  if (filter.op === 'exists') return value !== undefined
  const same = value !== undefined && textOf(value) === filter.value
  return filter.op === '=' ? same : !same
}

function lookUp(properties: JsonObject, key: string): JsonValue | undefined {
  if (Object.hasOwn(properties, key)) return properties[key]
  let current: JsonValue | undefined = properties
  for (const part of key.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, part)) return undefined
    current = current[part]
  }
  return current
}

function textOf(value: JsonValue): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/**
 * Parses `key = value`, `key != value` or `key` (present). Spaces around the operator are
 * optional; the value is taken as written (quotes around it are removed). Undefined for blank text.
 */
export function parsePropertyFilter(text: string): PropertyFilter | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const match = /^(.+?)\s*(!=|=)\s*(.*)$/s.exec(trimmed)
  if (match === null) return { key: trimmed, op: 'exists' }
  let value = match[3]!.trim()
  if (value.length >= 2 && /^(["']).*\1$/s.test(value)) value = value.slice(1, -1)
  return { key: match[1]!.trim(), op: match[2] as '=' | '!=', value }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
