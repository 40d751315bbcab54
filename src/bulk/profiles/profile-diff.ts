import { sanitizeProperties } from '../../client/index.js'
import { isEventwireError } from '../../errors/index.js'
import type { JsonObject } from '../../message/index.js'
import { stableStringify } from '../import/index.js'

/** One row of application state: an id field and the profile's properties. */
export type ProfileRow = Record<string, unknown>

/** `$set` of new and changed properties, `$unset` of removed ones; undefined when there are none. */
export function diffProperties(
  before: JsonObject,
  after: JsonObject,
): { set: JsonObject | undefined; unset: string[] | undefined } {
  let set: JsonObject | undefined
  for (const key of Object.keys(after)) {
    const value = after[key]!
    if (Object.hasOwn(before, key) && stableStringify(before[key]) === stableStringify(value)) continue
    set ??= {}
    set[key] = value
  }
  const removed = Object.keys(before).filter((key) => !Object.hasOwn(after, key))
  return { set, unset: removed.length > 0 ? removed : undefined }
}

/** A row as a distinct id and JSON-safe properties (null values left out), or why it is unusable. */
export function normalizeRow(
  value: unknown,
  idField: string,
): { id: string; properties: JsonObject } | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { error: 'a row must be an object' }
  const row = value as ProfileRow
  const rawId = row[idField]
  const id = typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : rawId
  if (typeof id !== 'string' || id === '') return { error: `no ${JSON.stringify(idField)} field` }
  const source: ProfileRow = {}
  for (const key of Object.keys(row)) {
    if (key === idField) continue
    const v = row[key]
    if (v !== null && v !== undefined) source[key] = v
  }
  try {
    return { id, properties: sanitizeProperties(source) }
  } catch (error) {
    if (!isEventwireError(error)) throw error
    return { error: error.message }
  }
}
