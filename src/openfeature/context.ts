import type { EvaluationContext } from '@openfeature/server-sdk'
import type { FlagContext } from '../flags/index.js'

/**
 * How OpenFeature's `targetingKey` is used. By default it is not special: like every attribute it
 * is passed under its own name (`targetingKey`), and the flag's assignment key (`distinct_id`,
 * `device_id`, a group key) must be an attribute. `'distinct_id'` also uses it as `distinct_id`
 * when the context has none.
 */
export type TargetingKeyMapping = 'none' | 'distinct_id'

/**
 * Turns an OpenFeature evaluation context into a flags context: every attribute is passed through
 * as is, except that `Date` values become RFC 3339 strings (their JSON form, and what
 * `datetime_compare` rules read).
 */
export function toFlagContext(
  context: EvaluationContext | undefined,
  targetingKeyAs: TargetingKeyMapping,
): FlagContext {
  const out: FlagContext = {}
  if (context === undefined || context === null) return out
  for (const [key, value] of Object.entries(context)) out[key] = plain(value)
  if (
    targetingKeyAs === 'distinct_id' &&
    (out.distinct_id === undefined || out.distinct_id === null || out.distinct_id === '') &&
    typeof context.targetingKey === 'string' &&
    context.targetingKey !== ''
  ) {
    out.distinct_id = context.targetingKey
  }
  return out
}

/** Converts `Date`s (at any depth) to ISO strings; everything else is kept. */
export function plain(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (Array.isArray(value)) return value.some(needsCopy) ? value.map(plain) : value
  if (typeof value === 'object' && value !== null && needsCopy(value)) {
    const out: Record<string, unknown> = Object.create(null)
    for (const [k, v] of Object.entries(value)) out[k] = plain(v)
    return out
  }
  return value
}

function needsCopy(value: unknown): boolean {
  if (value instanceof Date) return true
  if (typeof value !== 'object' || value === null) return false
  return Object.values(value).some(needsCopy)
}
