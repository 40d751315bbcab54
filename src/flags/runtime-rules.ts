import jsonLogic, { type RulesLogic } from 'json-logic-js'
import type { Logger } from '../internal/index.js'
import { datetimeCompare, semverCompare } from './runtime-operators.js'

/**
 * The runtime parameters a rule sees: the context's `custom_properties` with keys and string values
 * lower-cased, or null when the context has none.
 */
export type RuntimeParams = Record<string, unknown> | null

/** A compiled runtime condition of one rollout group. */
export type RuntimeCheck = (params: RuntimeParams) => boolean

let operationsAdded = false

// json-logic-js keeps one global operation table; the two operations are added on first use
// rather than at import, so importing eventwire has no side effects.
function addOperations(): void {
  if (operationsAdded) return
  operationsAdded = true
  jsonLogic.add_operation('semver_compare', semverCompare)
  jsonLogic.add_operation('datetime_compare', datetimeCompare)
}

/**
 * Compiles a JsonLogic rule: its leaf strings are lower-cased once, here, as Mixpanel's SDKs do
 * before every evaluation. A rule that throws counts as not satisfied (and is logged at debug).
 * The result's truthiness follows JavaScript, like Mixpanel's Node SDK.
 */
export function compileRule(rule: unknown, flagKey: string, logger: Logger): RuntimeCheck {
  addOperations()
  const lowered = lowercaseLeaves(rule) as RulesLogic
  return (params) => {
    try {
      return Boolean(jsonLogic.apply(lowered, params))
    } catch (error) {
      logger.debug({ flag: flagKey, err: error }, 'eventwire: runtime rule failed; treated as not satisfied')
      return false
    }
  }
}

/**
 * Compiles a legacy `runtime_evaluation_definition`: every key must be present in the parameters
 * and its value must match, both compared case-insensitively. Without parameters it fails.
 */
export function compileLegacyDefinition(definition: Record<string, unknown>): RuntimeCheck {
  const expected = Object.entries(definition).map(([key, value]) => [
    key.toLowerCase(),
    String(value).toLowerCase(),
  ])
  return (params) => {
    if (params === null) return false
    for (const [key, value] of expected) {
      if (!Object.hasOwn(params, key!)) return false
      if (String(params[key!]).toLowerCase() !== value) return false
    }
    return true
  }
}

/** Lower-cases the context's `custom_properties` (keys and string values, recursively). */
export function runtimeParams(customProperties: unknown): RuntimeParams {
  if (typeof customProperties !== 'object' || customProperties === null) return null
  return lowercase(customProperties, true) as Record<string, unknown>
}

/** Lower-cases every string inside `value`; object keys are kept. */
export function lowercaseLeaves(value: unknown): unknown {
  return lowercase(value, false)
}

function lowercase(value: unknown, keys: boolean): unknown {
  if (typeof value === 'string') return value.toLowerCase()
  if (typeof value !== 'object' || value === null) return value
  // A Date is compared by its RFC 3339 form (what datetime_compare reads).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().toLowerCase()
  if (Array.isArray(value)) return value.map((item) => lowercase(item, keys))
  // No prototype: a "__proto__" property stays an ordinary key.
  const out: Record<string, unknown> = Object.create(null)
  for (const [k, v] of Object.entries(value)) out[keys ? k.toLowerCase() : k] = lowercase(v, keys)
  return out
}
