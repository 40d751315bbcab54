import type { JsonObject, JsonValue } from '../message/index.js'
import { isObject, PROFILE_OPERATIONS } from './mixpanel-rules.js'

/**
 * Applies one profile update record to a profile's properties the way Mixpanel does and returns
 * the new properties, or `undefined` when the update deletes the profile. `current` is not
 * modified. Operations in one record are applied in {@link PROFILE_OPERATIONS} order:
 *
 * - `$set` overwrites; `$set_once` sets only properties that are not there yet;
 * - `$add` adds to a number (a missing property counts as 0; non-numbers are left alone);
 * - `$append` adds an item to a list (creating it); `$union` adds the items not yet in the list;
 * - `$remove` removes every equal item from a list; `$unset` deletes properties;
 * - `$delete` deletes the whole profile.
 */
export function applyUpdate(current: JsonObject | undefined, update: JsonObject): JsonObject | undefined {
  const props: JsonObject = { ...current }
  for (const op of PROFILE_OPERATIONS) {
    if (!(op in update)) continue
    const value = update[op] as JsonValue
    if (op === '$delete') return undefined
    if (op === '$unset') {
      if (Array.isArray(value)) for (const name of value) if (typeof name === 'string') delete props[name]
      continue
    }
    if (!isObject(value)) continue
    for (const key in value) applyOne(props, op, key, value[key] as JsonValue)
  }
  return props
}

function applyOne(props: JsonObject, op: string, key: string, value: JsonValue): void {
  const existing = props[key]
  switch (op) {
    case '$set':
      props[key] = value
      return
    case '$set_once':
      if (!(key in props)) props[key] = value
      return
    case '$add':
      if (typeof value !== 'number') return
      if (existing === undefined) props[key] = value
      else if (typeof existing === 'number') props[key] = existing + value
      return
    case '$append':
      if (existing === undefined) props[key] = [value]
      else if (Array.isArray(existing)) props[key] = [...existing, value]
      return
    case '$union': {
      if (!Array.isArray(value)) return
      if (existing !== undefined && !Array.isArray(existing)) return
      const list = existing === undefined ? [] : [...existing]
      const seen = new Set(list.map(keyOf))
      for (const item of value) {
        const k = keyOf(item)
        if (!seen.has(k)) {
          seen.add(k)
          list.push(item)
        }
      }
      props[key] = list
      return
    }
    case '$remove':
      if (Array.isArray(existing)) {
        const k = keyOf(value)
        props[key] = existing.filter((item) => keyOf(item) !== k)
      }
      return
  }
}

/** Equality of JSON values by their JSON text (objects compare by content). */
function keyOf(value: JsonValue): string {
  return JSON.stringify(value)
}
