import { HttpError } from './http-io.js'
import { type ItemQuery, parsePropertyFilter } from './item-query.js'
import type { ItemFilter } from './storage.js'
import type { ItemKind, ItemSource, Verdict } from './types.js'

/** Largest `limit` of the list routes. */
export const MAX_LIMIT = 10_000
const KINDS = new Set(['event', 'user', 'group'])
const SOURCES = new Set(['mixpanel', 'snowplow'])
const VERDICTS = new Set(['good', 'refused', 'violation'])

/**
 * The filters of `GET /_/events` and `GET /_/export`: `valid`, `verdict` (good, refused,
 * violation), `name`, `distinct_id`, `group_key`, `kind`, `source`, `issue` (a code), `where`
 * (`plan = pro`, `plan != pro`, `plan`) and `q` (text). Throws an {@link HttpError} 400 naming a
 * bad value.
 */
export function filterOf(q: URLSearchParams): ItemFilter {
  const filter: ItemFilter = {}
  const text = (name: string): string | undefined => {
    const value = q.get(name)
    return value === null || value === '' ? undefined : value
  }
  const valid = text('valid')
  if (valid !== undefined) {
    if (valid === 'true' || valid === '1') filter.valid = true
    else if (valid === 'false' || valid === '0') filter.valid = false
    else throw new HttpError(400, 'valid must be true or false')
  }
  const verdict = text('verdict')
  if (verdict !== undefined && verdict !== 'all') {
    if (!VERDICTS.has(verdict)) throw new HttpError(400, 'verdict must be good, refused, violation or all')
    filter.verdict = verdict as Verdict
  }
  const name = text('name')
  if (name !== undefined) filter.name = name
  const distinctId = text('distinct_id')
  if (distinctId !== undefined) filter.distinctId = distinctId
  const groupKey = text('group_key')
  if (groupKey !== undefined) filter.groupKey = groupKey
  const kind = text('kind')
  if (kind !== undefined && kind !== 'all') {
    if (!KINDS.has(kind)) throw new HttpError(400, 'kind must be event, user, group or all')
    filter.kind = kind as ItemKind
  }
  const source = text('source')
  if (source !== undefined && source !== 'all') {
    if (!SOURCES.has(source)) throw new HttpError(400, 'source must be mixpanel, snowplow or all')
    filter.source = source as ItemSource
  }
  const issue = text('issue')
  if (issue !== undefined) filter.issue = issue
  const where = text('where')
  if (where !== undefined) filter.property = parsePropertyFilter(where)
  const search = text('q')?.trim()
  if (search !== undefined && search !== '') filter.text = search
  return filter
}

/** {@link filterOf} plus `after`, `before`, `order` and `limit` (1–10000, default 100). */
export function itemQuery(q: URLSearchParams): ItemQuery {
  const query: ItemQuery = { ...filterOf(q), limit: limitOf(q, 100), order: 'desc' }
  for (const bound of ['after', 'before'] as const) {
    const raw = q.get(bound)
    if (raw === null || raw === '') continue
    const n = Number(raw)
    if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `${bound} must be an item id`)
    query[bound] = n
  }
  const order = q.get('order')
  if (order === 'asc' || order === 'desc') query.order = order
  else if (order !== null && order !== '') throw new HttpError(400, 'order must be asc or desc')
  return query
}

/** The `limit` parameter, 1–10000. */
export function limitOf(q: URLSearchParams, fallback: number): number {
  const raw = q.get('limit')
  if (raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`)
  return n
}

/** A positive integer path segment (`/_/requests/12`). */
export function idOf(raw: string, what: string): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, `${what} must be a positive integer`)
  return n
}

/** A percent-decoded path segment. */
export function segment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path')
  }
}
