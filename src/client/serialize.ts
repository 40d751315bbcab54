import { ValidationError } from '../errors/index.js'
import type { JsonObject, JsonValue } from '../internal/index.js'

/** Mixpanel's documented limits, checked before a message is accepted. */
export const LIMITS = {
  /** Largest event or profile update, as UTF-8 JSON bytes (Mixpanel: "< 1 MB"). */
  maxMessageBytes: 1_000_000,
  /** Most properties on one event (Mixpanel: up to 255). */
  maxProperties: 255,
  /** Deepest nesting of objects and lists inside a property value (Mixpanel: 3). */
  maxDepth: 3,
  /** Most keys in a nested object and items in a list (Mixpanel: < 255). */
  maxCollection: 255,
} as const

const SKIP = Symbol('skip')
type Clean = JsonValue | typeof SKIP

/**
 * Turns caller-supplied properties into JSON-safe values, following one documented mapping
 * (docs/properties.md): Date → ISO-8601 UTC string, BigInt → number (or decimal string beyond
 * 2^53), Map → object, Set → list, typed arrays → lists of numbers, Buffer/ArrayBuffer → base64,
 * `undefined` → omitted (null inside lists), NaN/±Infinity → null, objects with `toJSON()` → its
 * result, Error → "Name: message". Functions, symbols, invalid Dates, circular references and
 * nesting deeper than 3 reject the one call with a `ValidationError` naming the property path.
 *
 * Returns a new top-level object; nested values are shared when already JSON-safe.
 */
export function sanitizeProperties(properties: unknown, path = 'properties'): JsonObject {
  if (properties === undefined || properties === null) return {}
  if (typeof properties !== 'object' || Array.isArray(properties)) {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'properties must be a plain object', path)
  }
  const source =
    properties instanceof Map ? Object.fromEntries(properties) : (properties as Record<string, unknown>)
  const out: JsonObject = {}
  const ancestors: object[] = [properties]
  let count = 0
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue
    const value = clean(source[key], path, key, 0, ancestors)
    if (value !== SKIP) {
      setKey(out, key, value)
      count++
    }
  }
  if (count > LIMITS.maxProperties) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `${count} properties, more than Mixpanel's limit of ${LIMITS.maxProperties}`,
      path,
    )
  }
  return out
}

const NO_PROPERTIES: Readonly<Record<string, unknown>> = Object.freeze({})

/**
 * The hot-path form of {@link sanitizeProperties} for event properties that go straight to
 * `JSON.stringify`: the same mapping and checks, but it returns the caller's own object when
 * nothing needs changing, and otherwise a shallow copy (`{ ...properties }`, which keeps V8's fast
 * object layout) where changed values are replaced and the keys in `skip` are set to `undefined`
 * (which `JSON.stringify` leaves out). `reserved` counts the properties added by the caller
 * towards Mixpanel's 255-property limit. The result is for serialising only: do not mutate it.
 */
export function prepareEventProperties(
  properties: unknown,
  skip: ReadonlySet<string>,
  reserved: number,
): Readonly<Record<string, unknown>> {
  if (properties === undefined || properties === null) return NO_PROPERTIES
  if (typeof properties !== 'object' || Array.isArray(properties) || properties instanceof Map) {
    const sanitized = sanitizeProperties(properties)
    for (const key of skip) delete sanitized[key]
    checkCount(Object.keys(sanitized).length + reserved, 'properties')
    return sanitized
  }
  const source = properties as Record<string, unknown>
  const proto = Object.getPrototypeOf(source)
  let copy: Record<string, unknown> | undefined =
    proto === Object.prototype || proto === null ? undefined : { ...source }
  const ancestors: object[] = [properties]
  let count = reserved
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue
    const original = source[key]
    if (skip.has(key)) {
      copy ??= { ...source }
      setKey(copy, key, undefined)
      continue
    }
    const cleaned = clean(original, 'properties', key, 0, ancestors)
    if (cleaned === SKIP) {
      if (original !== undefined) {
        copy ??= { ...source }
        setKey(copy, key, undefined)
      }
      continue
    }
    count++
    if (cleaned !== original) {
      copy ??= { ...source }
      setKey(copy, key, cleaned)
    }
  }
  checkCount(count, 'properties')
  return copy ?? source
}

function checkCount(count: number, path: string): void {
  if (count > LIMITS.maxProperties) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `${count} properties including eventwire's defaults, more than Mixpanel's limit of ${LIMITS.maxProperties}`,
      path,
    )
  }
}

/** Cleans one value; `depth` is the nesting level of the container holding it (0 = top level). */
function clean(
  value: unknown,
  parentPath: PathRef,
  key: string | number,
  depth: number,
  ancestors: object[],
): Clean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'undefined':
      return SKIP
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString()
    case 'function':
      throw new ValidationError(
        'EVENTWIRE_INVALID_PROPERTY',
        'a function cannot be sent as a property value',
        pathOf(resolvePath(parentPath), key),
      )
    case 'symbol':
      throw new ValidationError(
        'EVENTWIRE_INVALID_PROPERTY',
        'a symbol cannot be sent as a property value',
        pathOf(resolvePath(parentPath), key),
      )
    default:
      return value === null ? null : cleanObject(value as object, parentPath, key, depth, ancestors)
  }
}

function cleanObject(
  value: object,
  parentPath: PathRef,
  key: string | number,
  depth: number,
  ancestors: object[],
): Clean {
  const plain = Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype
  if (!plain || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const special = cleanSpecial(value, parentPath, key, depth, ancestors)
    if (special !== NOT_SPECIAL) return special
  }
  // Built only if an error needs it: most values never do.
  const path = (): string => pathOf(resolvePath(parentPath), key)
  if (ancestors.includes(value)) {
    throw new ValidationError('EVENTWIRE_INVALID_PROPERTY', 'circular reference', path())
  }
  if (depth + 1 > LIMITS.maxDepth) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `nested deeper than Mixpanel's limit of ${LIMITS.maxDepth} levels`,
      path(),
    )
  }
  return cleanContainer(value, path, depth, ancestors)
}

const NOT_SPECIAL = Symbol('not special')

/** Values with a mapping of their own (Date, Buffer, Error, boxed primitives, toJSON...). */
function cleanSpecial(
  value: object,
  parentPath: PathRef,
  key: string | number,
  depth: number,
  ancestors: object[],
): Clean | typeof NOT_SPECIAL {
  if (value instanceof Date) {
    const time = value.getTime()
    if (Number.isNaN(time))
      throw new ValidationError(
        'EVENTWIRE_INVALID_PROPERTY',
        'invalid Date',
        pathOf(resolvePath(parentPath), key),
      )
    return isoString(value)
  }
  if (Buffer.isBuffer(value)) return value.toString('base64')
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64')
  if (value instanceof DataView)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return clean(value.valueOf(), parentPath, key, depth, ancestors)
  }
  if (value instanceof RegExp) return String(value)
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return clean(
      (value as { toJSON(k: string): unknown }).toJSON(String(key)),
      parentPath,
      key,
      depth,
      ancestors,
    )
  }
  return NOT_SPECIAL
}

/** Lists, Sets, typed arrays, Maps and objects: cleaned item by item, copied only if one changes. */
function cleanContainer(value: object, path: () => string, depth: number, ancestors: object[]): Clean {
  ancestors.push(value)
  try {
    if (Array.isArray(value) || value instanceof Set || ArrayBuffer.isView(value)) {
      const items = Array.isArray(value) ? value : Array.from(value as Iterable<unknown>)
      if (items.length > LIMITS.maxCollection) {
        throw new ValidationError(
          'EVENTWIRE_LIMIT_EXCEEDED',
          `${items.length} items, more than Mixpanel's limit of ${LIMITS.maxCollection}`,
          path(),
        )
      }
      let copy: JsonValue[] | undefined = items === value ? undefined : []
      for (let i = 0; i < items.length; i++) {
        const item = items[i]
        const cleaned = clean(item, path, i, depth + 1, ancestors)
        const out = cleaned === SKIP ? null : cleaned
        if (copy === undefined && out !== item) copy = items.slice(0, i) as JsonValue[]
        copy?.push(out)
      }
      return copy ?? (items as JsonValue[])
    }
    const isMap = value instanceof Map
    const source = isMap ? mapToObject(value, path()) : (value as Record<string, unknown>)
    // Copy only when something changes, so JSON-safe nested objects cost no allocation.
    let copy: JsonObject | undefined =
      isMap || Object.getPrototypeOf(value) !== Object.prototype ? {} : undefined
    let count = 0
    for (const k in source) {
      if (!Object.hasOwn(source, k)) continue
      const original = source[k]
      const cleaned = clean(original, path, k, depth + 1, ancestors)
      if (copy === undefined && cleaned !== original) copy = copyKeysBefore(source, k)
      if (cleaned !== SKIP) {
        if (copy !== undefined) setKey(copy, k, cleaned)
        count++
      }
    }
    if (count > LIMITS.maxCollection) {
      throw new ValidationError(
        'EVENTWIRE_LIMIT_EXCEEDED',
        `${count} keys, more than Mixpanel's limit of ${LIMITS.maxCollection}`,
        path(),
      )
    }
    return copy ?? (source as JsonObject)
  } finally {
    ancestors.pop()
  }
}

/**
 * Sets an own property, also for the key `__proto__` (a plain assignment would change the
 * prototype and lose the property).
 */
export function setKey<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A Map as a plain object; keys become strings, and a key with no string form is refused. */
function mapToObject(map: Map<unknown, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of map) {
    let name: string
    try {
      name = typeof key === 'string' ? key : String(key)
    } catch {
      throw new ValidationError('EVENTWIRE_INVALID_PROPERTY', 'a Map key has no string form', path)
    }
    setKey(out, name, value)
  }
  return out
}

/** A property path, or a function computing it (paths are built only for error messages). */
type PathRef = string | (() => string)

function resolvePath(ref: PathRef): string {
  return typeof ref === 'string' ? ref : ref()
}

/** A copy of the own keys of `source` that come before `stop` (all already JSON-safe). */
function copyKeysBefore(source: Record<string, unknown>, stop: string): JsonObject {
  const out: JsonObject = {}
  for (const k in source) {
    if (k === stop) break
    if (Object.hasOwn(source, k)) setKey(out, k, source[k] as JsonValue)
  }
  return out
}

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}

const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)))

/**
 * `date.toISOString()` for a valid Date, written by hand: V8's own takes ~0.6 µs, several times
 * this, and event properties often carry a Date. Years outside 0000–9999 use the built-in form.
 */
export function isoString(date: Date): string {
  const year = date.getUTCFullYear()
  if (year < 0 || year > 9999) return date.toISOString()
  const ms = date.getUTCMilliseconds()
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${PAD2[date.getUTCMonth() + 1]}-${PAD2[date.getUTCDate()]}T${PAD2[date.getUTCHours()]}:${PAD2[date.getUTCMinutes()]}:${PAD2[date.getUTCSeconds()]}.${ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : ms}Z`
}

/**
 * Converts a time (Date or number) to milliseconds since the epoch. Numbers below 10^11 are taken
 * as seconds (Mixpanel accepts both), larger ones as milliseconds.
 */
export function toEpochMs(value: unknown, path: string): number {
  if (value instanceof Date) {
    const ms = value.getTime()
    if (!Number.isNaN(ms)) return ms
  } else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    return value < 1e11 ? Math.round(value * 1000) : Math.round(value)
  }
  throw new ValidationError(
    'EVENTWIRE_INVALID_ARGUMENT',
    'expected a Date or a timestamp in seconds or milliseconds',
    path,
  )
}
