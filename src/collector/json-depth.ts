import type { JsonValue } from '../message/index.js'

/**
 * Deepest nesting the collector keeps: a record (or a decoded Snowplow field) nested deeper is
 * refused with `too_deep_json`, and stored with its deeper parts replaced by a marker, so nothing
 * downstream (JSON serialisation, validators, the page) recurses without bound. The record itself
 * is level 1: `{"properties": {"a": [1]}}` is 3 levels deep.
 */
export const MAX_JSON_DEPTH = 100

/** The text that replaces a container nested deeper than the limit. */
export const DEEP_MARKER = `[nested deeper than ${MAX_JSON_DEPTH} levels: not kept]`

/**
 * How deep `value` nests, measured without recursion, stopping as soon as `limit` is passed
 * (then returns `limit + 1`). Scalars are level 0, `{}` and `[]` level 1.
 */
export function depthOf(value: unknown, limit = MAX_JSON_DEPTH): number {
  if (typeof value !== 'object' || value === null) return 0
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > deepest) {
      deepest = depth
      if (deepest > limit) return limit + 1
    }
    if (Array.isArray(node)) {
      for (const child of node)
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    } else {
      const record = node as Record<string, unknown>
      for (const key in record) {
        const child = record[key]
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
      }
    }
  }
  return deepest
}

/**
 * `value` unchanged when it nests at most {@link MAX_JSON_DEPTH} levels; otherwise a copy in
 * which containers below that level are replaced by {@link DEEP_MARKER}, and `tooDeep: true`.
 */
export function limitDepth(value: unknown): { value: JsonValue; tooDeep: boolean } {
  if (depthOf(value) <= MAX_JSON_DEPTH) return { value: value as JsonValue, tooDeep: false }
  return { value: cut(value, 1), tooDeep: true }
}

function cut(value: unknown, depth: number): JsonValue {
  if (typeof value !== 'object' || value === null) return value as JsonValue
  if (depth > MAX_JSON_DEPTH) return DEEP_MARKER
  if (Array.isArray(value)) return value.map((child) => cut(child, depth + 1))
  const out: Record<string, JsonValue> = {}
  const record = value as Record<string, unknown>
  for (const key in record) out[key] = cut(record[key], depth + 1)
  return out
}
