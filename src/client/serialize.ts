import { ValidationError } from '../errors/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'

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
  /**
   * Longest distinct id (and alias, anonymous id, group key and group id), in characters: Mixpanel
   * truncates strings to 255 characters, which would merge different users.
   */
  maxIdLength: 255,
  /** Longest event name, in characters (Mixpanel: names up to 255 characters). */
  maxNameLength: 255,
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
  const walk = new Walk(properties, false)
  let count = 0
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue
    const value = clean(source[key], path, key, 0, walk)
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

/**
 * Event properties as they will be serialised, taken when `track()` is called: the same mapping
 * and checks as {@link sanitizeProperties}, into a new object where every nested object and list
 * is copied too, so later changes to the caller's objects cannot reach the event, however late it
 * is serialised. The keys `skip` picks are left out. `reserved` counts the properties added by the
 * client towards Mixpanel's 255-property limit. `maxJsonBytes` is an upper bound of the UTF-8
 * bytes of the result's JSON (used to check the message size limit without serialising).
 */
export function snapshotEventProperties(
  properties: unknown,
  skip: (key: string) => boolean,
  reserved: number,
): EventProperties {
  if (properties === undefined || properties === null) return { values: {}, maxJsonBytes: 2 }
  if (typeof properties !== 'object' || Array.isArray(properties)) {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'properties must be a plain object', 'properties')
  }
  // A spread copy keeps V8's fast object layout; values that change are replaced in place, and
  // keys left out are set to undefined, which JSON.stringify omits.
  const values: Record<string, unknown> =
    properties instanceof Map ? Object.fromEntries(properties) : { ...properties }
  const walk = new Walk(properties, true)
  checkCount(reserved + snapshotValues(values, 'properties', 0, walk, skip), 'properties')
  return { values: values as JsonObject, maxJsonBytes: walk.maxJsonBytes() }
}

/** What {@link snapshotEventProperties} returns. */
export interface EventProperties {
  /** JSON-safe values (or undefined, for keys left out), owned by the event. */
  readonly values: JsonObject
  /** At least the UTF-8 byte length of `JSON.stringify(values)`. */
  readonly maxJsonBytes: number
}

/**
 * The state of one walk over caller properties: the containers being visited (to find circular
 * references), whether containers are copied, and counts bounding the size of the JSON.
 */
class Walk {
  readonly ancestors: object[]
  /** Copy every container (a snapshot), or only those with a value that changes. */
  readonly copy: boolean
  /** UTF-16 code units of the string values and keys seen. */
  chars = 0
  /** Values seen. */
  values = 0

  constructor(root: object, copy: boolean) {
    this.ancestors = [root]
    this.copy = copy
  }

  /**
   * An upper bound of the JSON's UTF-8 bytes: a code unit becomes at most 6 bytes (`\uXXXX`), and
   * a value at most 24 characters of number plus quotes, separators and brackets.
   */
  maxJsonBytes(): number {
    return 6 * this.chars + 32 * this.values + 2
  }
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
function clean(value: unknown, parentPath: PathRef, key: string | number, depth: number, walk: Walk): Clean {
  walk.values++
  switch (typeof value) {
    case 'string':
      walk.chars += value.length
      return value
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
      return value === null ? null : cleanObject(value as object, parentPath, key, depth, walk)
  }
}

function cleanObject(
  value: object,
  parentPath: PathRef,
  key: string | number,
  depth: number,
  walk: Walk,
): Clean {
  const plain = Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype
  if (!plain || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const special = cleanSpecial(value, parentPath, key, depth, walk)
    if (special !== NOT_SPECIAL) {
      if (typeof special === 'string') walk.chars += special.length
      return special
    }
  }
  // Built only if an error needs it: most values never do.
  const path = (): string => pathOf(resolvePath(parentPath), key)
  if (walk.ancestors.includes(value)) {
    throw new ValidationError('EVENTWIRE_INVALID_PROPERTY', 'circular reference', path())
  }
  if (depth + 1 > LIMITS.maxDepth) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `nested deeper than Mixpanel's limit of ${LIMITS.maxDepth} levels`,
      path(),
    )
  }
  return cleanContainer(value, path, depth, walk)
}

const NOT_SPECIAL = Symbol('not special')

/** Values with a mapping of their own (Date, Buffer, Error, boxed primitives, toJSON...). */
function cleanSpecial(
  value: object,
  parentPath: PathRef,
  key: string | number,
  depth: number,
  walk: Walk,
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
    walk.values--
    return clean(value.valueOf(), parentPath, key, depth, walk)
  }
  if (value instanceof RegExp) return String(value)
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    walk.values--
    return clean((value as { toJSON(k: string): unknown }).toJSON(String(key)), parentPath, key, depth, walk)
  }
  return NOT_SPECIAL
}

/** Lists, Sets, typed arrays, Maps and objects: cleaned item by item, copied only if one changes. */
function cleanContainer(value: object, path: () => string, depth: number, walk: Walk): Clean {
  const ancestors = walk.ancestors
  ancestors.push(value)
  try {
    if (Array.isArray(value) || value instanceof Set || ArrayBuffer.isView(value)) {
      const items = Array.isArray(value) ? value : Array.from(value as Iterable<unknown>)
      checkCollection(items.length, 'items', path)
      // Array.from made a new array: changed items are replaced in it. A snapshot copies.
      let copy: unknown[] | undefined = items !== value ? items : walk.copy ? items.slice() : undefined
      for (let i = 0; i < items.length; i++) {
        const item = items[i]
        const cleaned = clean(item, path, i, depth + 1, walk)
        const out = cleaned === SKIP ? null : cleaned
        if (out === item) continue
        copy ??= items.slice()
        copy[i] = out
      }
      return (copy ?? items) as JsonValue[]
    }
    const isMap = value instanceof Map
    if (walk.copy && !isMap && Object.getPrototypeOf(value) === Object.prototype) {
      return snapshotObject(value as Record<string, unknown>, path, depth, walk)
    }
    const source = isMap ? mapToObject(value, path()) : (value as Record<string, unknown>)
    // Copy only when something changes, so JSON-safe nested objects cost no allocation.
    let copy: JsonObject | undefined =
      isMap || Object.getPrototypeOf(value) !== Object.prototype ? {} : undefined
    let count = 0
    for (const k in source) {
      if (!Object.hasOwn(source, k)) continue
      const original = source[k]
      const cleaned = clean(original, path, k, depth + 1, walk)
      if (copy === undefined && cleaned !== original) copy = copyKeysBefore(source, k)
      if (cleaned !== SKIP) {
        if (copy !== undefined) setKey(copy, k, cleaned)
        walk.chars += k.length
        count++
      }
    }
    checkCollection(count, 'keys', path)
    return copy ?? (source as JsonObject)
  } finally {
    ancestors.pop()
  }
}

/** A plain object's snapshot: a spread copy with changed values replaced in place. */
function snapshotObject(
  source: Record<string, unknown>,
  path: () => string,
  depth: number,
  walk: Walk,
): JsonObject {
  const copy: Record<string, unknown> = { ...source }
  checkCollection(snapshotValues(copy, path, depth + 1, walk), 'keys', path)
  return copy as JsonObject
}

/**
 * Cleans the values of `copy` (a copy owned by the snapshot) in place, at nesting level `depth`:
 * changed values are replaced, and values left out (`undefined`, or keys `skip` picks) are set to
 * undefined, which `JSON.stringify` omits. Returns how many values are kept.
 */
function snapshotValues(
  copy: Record<string, unknown>,
  path: PathRef,
  depth: number,
  walk: Walk,
  skip?: (key: string) => boolean,
): number {
  let count = 0
  for (const k in copy) {
    if (!Object.hasOwn(copy, k)) continue
    const original = copy[k]
    const cleaned = skip?.(k) ? SKIP : clean(original, path, k, depth, walk)
    if (cleaned === SKIP) {
      if (original !== undefined) setKey(copy, k, undefined)
      continue
    }
    if (cleaned !== original) setKey(copy, k, cleaned)
    walk.chars += k.length
    count++
  }
  return count
}

function checkCollection(count: number, what: 'items' | 'keys', path: () => string): void {
  if (count > LIMITS.maxCollection) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `${count} ${what}, more than Mixpanel's limit of ${LIMITS.maxCollection}`,
      path(),
    )
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
/** `.000Z` to `.999Z`. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z`)

/** The last second formatted, `YYYY-MM-DDTHH:MM:SS`: event Dates are usually close together. */
let lastSecond = Number.NaN
let lastSecondText = ''

/**
 * `date.toISOString()` for a valid Date, written by hand: V8's own takes ~0.6 µs, several times
 * this, and event properties often carry a Date. Years outside 0000–9999 use the built-in form.
 */
export function isoString(date: Date): string {
  const time = date.getTime()
  const second = Math.floor(time / 1000)
  if (second !== lastSecond) {
    const year = date.getUTCFullYear()
    if (year < 0 || year > 9999) return date.toISOString()
    lastSecondText = `${year < 1000 ? String(year).padStart(4, '0') : year}-${PAD2[date.getUTCMonth() + 1]}-${PAD2[date.getUTCDate()]}T${PAD2[date.getUTCHours()]}:${PAD2[date.getUTCMinutes()]}:${PAD2[date.getUTCSeconds()]}`
    lastSecond = second
  }
  return lastSecondText + MILLIS[time - second * 1000]
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
