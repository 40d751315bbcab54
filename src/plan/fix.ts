import type { JsonValue } from '../message/index.js'
import { matchesType, typesOf } from './checks.js'
import { type Found, valueAt } from './issues.js'
import type { PlanTypeName, PropertySchema } from './types.js'

/** Returned by {@link repairValue} when no repair applies. */
export const NO_FIX: unique symbol = Symbol('no-fix')

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/
const LOOSE_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i
const EPOCH = /^\d{10}(\d{3})?$/

/**
 * Repairs one value against its schema: `"true"`/`"false"` → boolean, numeric strings → numbers,
 * numbers and booleans → strings, epoch numbers → ISO-8601 for date-time strings, loose dates
 * (`2024-01-02 10:00`, no zone = UTC) → ISO-8601, enum values matched ignoring case and
 * surrounding spaces. Returns {@link NO_FIX} when nothing applies or nothing changes.
 */
export function repairValue(schema: PropertySchema, value: JsonValue): JsonValue | typeof NO_FIX {
  let v: JsonValue = value
  const types = typesOf(schema)
  if (types !== undefined && !types.some((t) => matchesType(v, t))) {
    const coerced = coerceType(v, types, schema.format)
    if (coerced === NO_FIX) return NO_FIX
    v = coerced
  }
  if (schema.enum !== undefined && typeof v === 'string' && !schema.enum.includes(v)) {
    const wanted = v.trim().toLowerCase()
    const matches = schema.enum.filter((e) => typeof e === 'string' && e.toLowerCase() === wanted)
    if (matches.length === 1) v = matches[0]!
  }
  if (typeof v === 'string' && (schema.format === 'date-time' || schema.format === 'date')) {
    const ms = parseLooseDate(v)
    if (ms !== undefined) {
      const iso = new Date(ms).toISOString()
      const normal = schema.format === 'date' ? iso.slice(0, 10) : iso
      if (normal !== v) v = normal
    }
  }
  return v === value ? NO_FIX : v
}

function coerceType(
  value: JsonValue,
  types: readonly PlanTypeName[],
  format: string | undefined,
): JsonValue | typeof NO_FIX {
  for (const type of ['boolean', 'integer', 'number', 'string'] as const) {
    if (!types.includes(type)) continue
    const out = coerceTo(value, type, format)
    if (out !== NO_FIX) return out
  }
  return NO_FIX
}

function coerceTo(
  value: JsonValue,
  type: 'boolean' | 'integer' | 'number' | 'string',
  format: string | undefined,
): JsonValue | typeof NO_FIX {
  switch (type) {
    case 'boolean':
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase()
        if (word === 'true') return true
        if (word === 'false') return false
      }
      if (value === 1 || value === 0) return value === 1
      return NO_FIX
    case 'integer':
    case 'number': {
      if (typeof value !== 'string' || !NUMERIC.test(value)) return NO_FIX
      const n = Number(value)
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) return NO_FIX
      return n
    }
    case 'string':
      if (typeof value === 'number' && Number.isFinite(value)) {
        if (format === 'date-time' || format === 'date') {
          const ms = Math.abs(value) < 1e11 ? value * 1000 : value
          const iso = new Date(ms).toISOString()
          return format === 'date' ? iso.slice(0, 10) : iso
        }
        return String(value)
      }
      if (typeof value === 'boolean') return String(value)
      return NO_FIX
  }
}

/** Milliseconds for an ISO-like date (`YYYY-MM-DD[ T]HH:MM[:SS[.fff]]`, zone optional = UTC) or epoch digits. */
export function parseLooseDate(text: string): number | undefined {
  const trimmed = text.trim()
  if (EPOCH.test(trimmed)) return trimmed.length === 10 ? Number(trimmed) * 1000 : Number(trimmed)
  const m = LOOSE_DATE.exec(trimmed)
  if (m === null) return undefined
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m
  // Date.parse rolls 2024-02-30 over to March; refuse dates that are not on the calendar.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return undefined
  const z = /^(Z|UTC|GMT)$/i.test(zone)
    ? 'Z'
    : zone.length === 5
      ? `${zone.slice(0, 3)}:${zone.slice(3)}`
      : zone
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${z}`)
  return Number.isNaN(ms) ? undefined : ms
}

/**
 * Applies the repairs of `found` to a deep copy of `root`: renames (`property_case_mismatch`),
 * removals (`unplanned_property`), value repairs (`invalid_type`, `invalid_value`). Returns the
 * copy and the issues actually repaired.
 */
export function applyFixes<T extends JsonValue>(
  root: T,
  found: readonly Found[],
): { value: T; applied: Found[] } {
  const copy = cloneJson(root)
  const applied: Found[] = []
  const removals: Array<{ list: JsonValue[]; index: number }> = []
  for (const f of found) {
    if (f.segments.length === 0) continue
    const parent = valueAt(copy, f.segments.slice(0, -1)) as
      | Record<string | number, JsonValue>
      | JsonValue[]
      | undefined
    const last = f.segments[f.segments.length - 1]!
    if (parent === null || typeof parent !== 'object') continue
    const container = parent as Record<string | number, JsonValue>
    if (f.code === 'property_case_mismatch' && f.rename !== undefined) {
      if (Array.isArray(parent)) container[last] = f.rename
      else {
        if (container[f.rename] !== undefined) continue
        container[f.rename] = container[last]!
        delete container[last]
      }
      applied.push(f)
    } else if (f.code === 'unplanned_property') {
      if (Array.isArray(parent)) removals.push({ list: parent, index: Number(last) })
      else delete container[last]
      applied.push(f)
    } else if ((f.code === 'invalid_type' || f.code === 'invalid_value') && f.schema !== undefined) {
      const current = container[last]
      if (current === undefined) continue
      const repaired = repairValue(f.schema, current)
      if (repaired === NO_FIX) continue
      container[last] = repaired
      applied.push(f)
    }
  }
  removals.sort((a, b) => b.index - a.index)
  for (const { list, index } of removals) list.splice(index, 1)
  return { value: copy, applied }
}

/** Deep copy of a JSON value (several times faster than structuredClone for small objects). */
function cloneJson<T extends JsonValue>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T
  const out: Record<string, JsonValue> = {}
  for (const key in value) {
    const copy = cloneJson((value as Record<string, JsonValue>)[key]!)
    // An own "__proto__" key (possible in parsed JSON) must stay a property, not become a prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true })
    else out[key] = copy
  }
  return out as T
}
