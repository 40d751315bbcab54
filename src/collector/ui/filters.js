// The Events tab's filters: read from the toolbar into query parameters for the REST API, and the
// same test in the page for items arriving live (it mirrors the server's item-query.ts).

import { $ } from './dom.js'

const SDK_FIELDS = new Set(['token', 'distinct_id', 'time', '$insert_id', 'mp_lib', '$lib_version'])

/** The toolbar's filters as an object (empty values left out). */
export function currentFilters() {
  const filters = {}
  const text = $('filter').value.trim()
  if (text) filters.q = text
  const prop = $('filter-prop').value.trim()
  if (prop) filters.where = prop
  const issue = $('filter-issue').value.trim()
  if (issue) filters.issue = issue
  for (const [id, key] of [
    ['filter-verdict', 'verdict'],
    ['filter-kind', 'kind'],
    ['filter-source', 'source'],
  ]) {
    const value = $(id).value
    if (value !== 'all') filters[key] = value
  }
  return filters
}

/** Sets the toolbar's filters (others cleared), e.g. to show one user's events. */
export function setFilters(filters) {
  $('filter').value = filters.q ?? ''
  $('filter-prop').value = filters.where ?? ''
  $('filter-issue').value = filters.issue ?? ''
  $('filter-verdict').value = filters.verdict ?? 'all'
  $('filter-kind').value = filters.kind ?? 'all'
  $('filter-source').value = filters.source ?? 'all'
}

/** Whether any filter is set. */
export function filtering(filters) {
  return Object.keys(filters).length > 0
}

export function verdictOf(item) {
  return item.valid ? 'good' : item.accepted === false ? 'refused' : 'violation'
}

/** The same test as the server's, for live items. */
export function matches(item, filters) {
  if (filters.verdict && verdictOf(item) !== filters.verdict) return false
  if (filters.kind && item.kind !== filters.kind) return false
  if (filters.source && item.source !== filters.source) return false
  if (filters.issue && !item.issues.some((issue) => issue.code === filters.issue)) return false
  if (filters.q) {
    const text = filters.q.toLowerCase()
    const fields = [item.name, item.distinctId, item.groupKey, item.source, item.endpoint, item.insertId]
    if (!fields.some((field) => typeof field === 'string' && field.toLowerCase().includes(text))) return false
  }
  if (filters.where && !matchesProperty(propertiesOf(item), parseWhere(filters.where))) return false
  return true
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Mirrors item-query.ts `itemProperties`. */
export function propertiesOf(item) {
  const payload = item.payload
  if (!isObject(payload)) return {}
  if (item.source === 'snowplow') {
    const data = item.decoded?.unstruct?.data?.data
    return isObject(data) ? { ...payload, ...data } : payload
  }
  if (item.kind === 'event') return isObject(payload.properties) ? payload.properties : {}
  const out = {}
  for (const [key, value] of Object.entries(payload))
    if (key.startsWith('$') && isObject(value)) Object.assign(out, value)
  return out
}

/** The caller's properties of an event (without the fields SDKs add). */
export function callerKeys(item) {
  return Object.keys(propertiesOf(item)).filter((key) => !SDK_FIELDS.has(key))
}

function parseWhere(text) {
  const match = /^(.+?)\s*(!=|=)\s*(.*)$/s.exec(text.trim())
  if (match === null) return { key: text.trim(), op: 'exists' }
  let value = match[3].trim()
  if (value.length >= 2 && /^(["']).*\1$/s.test(value)) value = value.slice(1, -1)
  return { key: match[1].trim(), op: match[2], value }
}

function lookUp(props, key) {
  if (Object.hasOwn(props, key)) return props[key]
  let current = props
  for (const part of key.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, part)) return undefined
    current = current[part]
  }
  return current
}

function matchesProperty(props, filter) {
  const value = lookUp(props, filter.key)
  if (filter.op === 'exists') return value !== undefined
  const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
  const same = value !== undefined && text === filter.value
  return filter.op === '=' ? same : !same
}
