/**
 * Lower-casing as Mixpanel's SDKs apply it before a runtime rule is evaluated: the context's custom
 * properties lose the case of their keys and string values, the rule the case of its strings.
 */

/** Lower-cases every string inside `value`; object keys are kept (how a rule is lower-cased). */
export function lowercaseLeaves(value: unknown): unknown {
  return lowercase(value, false)
}

/** Lower-cases every string inside `value`, object keys included (how custom properties are). */
export function lowercaseKeysAndValues(value: unknown): unknown {
  return lowercase(value, true)
}

function lowercase(value: unknown, keys: boolean): unknown {
  if (typeof value === 'string') return value.toLowerCase()
  if (typeof value !== 'object' || value === null) return value
  // A Date is compared by its RFC 3339 form (what datetime_compare reads).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().toLowerCase()
  if (Array.isArray(value)) return value.map((item) => lowercase(item, keys))
  // A plain object, as Mixpanel's SDK builds it: `{}` still converts to "[object Object]" in a
  // comparison. Object.fromEntries defines "__proto__" as an ordinary own key.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [keys ? k.toLowerCase() : k, lowercase(v, keys)]),
  )
}
