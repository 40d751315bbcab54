import { ValidationError } from '../errors/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import { IsoDates } from './dates.js'
import { checkPropertyCount, LIMITS } from './limits.js'

/**
 * Inside a `for...in`, V8 reduces `hasOwnProperty.call(object, key)` to a check of the object's
 * shape; `Object.hasOwn` stays a lookup per key (some 7 ns each on the `track()` path).
 */
const hasOwn = Object.prototype.hasOwnProperty
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

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
  const walk = new PropertyWalk(false, new IsoDates(), path)
  const out = walk.walk(properties)
  checkPropertyCount(walk.count, 0, path)
  return out
}

/**
 * One walk over the properties of one call, turning them into JSON-safe values by the mapping of
 * {@link sanitizeProperties}, and checking Mixpanel's limits on nesting and on the size of lists
 * and nested objects. The count of top-level properties is left to the caller, which knows what
 * it adds. All state is the walk's own: one walk per call, dates formatted by the `IsoDates` given.
 *
 * A value left out is `undefined`, which no JSON value is. Two ways to hold the result:
 *
 * - a **snapshot** copies every object and list, so later changes to the caller's objects cannot
 *   reach the result, however late it is serialised. A plain object is spread (which keeps V8's
 *   fast layout), its changed values are replaced in place, and the values left out are set to
 *   undefined, which `JSON.stringify` omits ({@link compact} removes them for other readers);
 * - otherwise objects and lists already JSON-safe are shared, and the others copied without the
 *   values left out.
 */
export class PropertyWalk {
  /** Top-level properties kept by {@link walk}. */
  count = 0
  /** UTF-16 code units of the string values and keys kept. */
  #chars = 0
  /** Values seen. */
  #values = 0
  /** Objects of a snapshot holding a key whose value is left out (set to undefined). */
  #holed: Record<string, unknown>[] | undefined
  readonly #snapshot: boolean
  readonly #dates: IsoDates
  /** The path of the properties in error messages, e.g. `properties`. */
  readonly #root: string
  /** The properties walked (a circular reference back to them is refused). */
  #top: object | undefined = undefined
  /**
   * The objects and lists being visited below the top level, by nesting level (1 at index 0), and
   * the key each is under, for error paths; made at the first nested one, of the most levels
   * allowed. A visit clears its object when it ends; keys past `#open` are stale.
   */
  #nested: Array<object | undefined> | undefined = undefined
  #keys: Array<string | number> | undefined = undefined
  /** Nested objects and lists being visited. */
  #open = 0

  constructor(snapshot: boolean, dates: IsoDates, root = 'properties') {
    this.#snapshot = snapshot
    this.#dates = dates
    this.#root = root
  }

  /** Forgets the last walk (and every reference to its objects), ready for another. */
  reset(): void {
    this.count = 0
    this.#chars = 0
    this.#values = 0
    this.#holed = undefined
    this.#top = undefined
    // Visits end by clearing their entry; only a walk that threw leaves some.
    if (this.#open > 0) this.#nested!.fill(undefined)
    this.#open = 0
  }

  /**
   * Walks a call's properties, a plain object or a Map (undefined and null are none), into a new
   * object, and counts the keys kept in {@link count}. Keys `skip` picks are left out unread
   * (snapshots only).
   * @throws {ValidationError} for properties that are not an object, and for a value or a
   *   collection the mapping or Mixpanel's limits refuse.
   */
  walk(properties: unknown, skip?: (key: string) => boolean): JsonObject {
    if (properties === undefined || properties === null) return {}
    if (typeof properties !== 'object' || Array.isArray(properties)) {
      throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'properties must be a plain object', this.#root)
    }
    this.#top = properties
    const source = properties instanceof Map ? Object.fromEntries(properties) : properties
    if (!this.#snapshot) return this.#rebuild(source as Record<string, unknown>, 0, true)
    // Object.fromEntries made a new object; a spread copy of any other.
    const copy: Record<string, unknown> = source === properties ? { ...source } : source
    this.#inPlace(copy, 0, skip)
    return copy as JsonObject
  }

  /**
   * At least the UTF-8 byte length of the JSON of what was walked: a code unit becomes at most 6
   * bytes (`\uXXXX`), and a value at most 24 characters of number plus quotes, separators and
   * brackets.
   */
  maxJsonBytes(): number {
    return 6 * this.#chars + 32 * this.#values + 2
  }

  /** Removes the keys a snapshot left out as undefined, for readers that see such keys. */
  compact(): void {
    if (this.#holed === undefined) return
    for (const object of this.#holed) {
      for (const key in object) {
        if (Object.hasOwn(object, key) && object[key] === undefined) delete object[key]
      }
    }
    this.#holed = undefined
  }

  /** A value at nesting level `depth` (0 = top level) under `key`; undefined when left out. */
  #value(value: unknown, key: string | number, depth: number): JsonValue | undefined {
    this.#values++
    switch (typeof value) {
      case 'string':
        this.#chars += value.length
        return value
      case 'boolean':
        return value
      case 'number':
        return Number.isFinite(value) ? value : null
      case 'undefined':
        return undefined
      case 'bigint':
        return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : this.#text(value.toString())
      case 'function':
        throw this.#invalid('a function cannot be sent as a property value', key)
      case 'symbol':
        throw this.#invalid('a symbol cannot be sent as a property value', key)
      default:
        return value === null ? null : this.#object(value as object, key, depth)
    }
  }

  #object(value: object, key: string | number, depth: number): JsonValue | undefined {
    // Plain objects and lists, nearly every nested value, go straight to their walk.
    const list = Array.isArray(value)
    if (
      (list || Object.getPrototypeOf(value) === Object.prototype) &&
      typeof (value as { toJSON?: unknown }).toJSON !== 'function'
    ) {
      this.#enter(value, key, depth)
      const out = list ? this.#list(value as unknown[], false, depth + 1) : this.#plain(value, depth + 1)
      this.#leave()
      return out
    }
    return this.#mapped(value, key, depth)
  }

  /** Values with a mapping of their own (Date, Buffer, Error, boxed primitives, toJSON...). */
  #mapped(value: object, key: string | number, depth: number): JsonValue | undefined {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw this.#invalid('invalid Date', key)
      return this.#text(this.#dates.format(value))
    }
    if (Buffer.isBuffer(value)) return this.#text(value.toString('base64'))
    if (value instanceof ArrayBuffer) return this.#text(Buffer.from(value).toString('base64'))
    if (value instanceof DataView) {
      return this.#text(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))
    }
    if (value instanceof Error) return this.#text(`${value.name}: ${value.message}`)
    if (value instanceof Number || value instanceof String || value instanceof Boolean) {
      this.#values--
      return this.#value(value.valueOf(), key, depth)
    }
    if (value instanceof RegExp) return this.#text(String(value))
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      this.#values--
      return this.#value((value as { toJSON(k: string): unknown }).toJSON(String(key)), key, depth)
    }
    return this.#container(value, key, depth)
  }

  /** Whether `value` is the properties walked or an object or list being visited. */
  #isAncestor(value: object): boolean {
    if (value === this.#top) return true
    for (let i = 0; i < this.#open; i++) if (this.#nested![i] === value) return true
    return false
  }

  /**
   * Starts the visit of a nested object or list found under `key` at nesting level `depth`:
   * refuses a circular reference and nesting deeper than Mixpanel allows. End it with
   * {@link #leave} (a walk that throws is given up whole: there is nothing to undo).
   */
  #enter(value: object, key: string | number, depth: number): void {
    if (this.#isAncestor(value)) throw this.#invalid('circular reference', key)
    if (depth + 1 > LIMITS.maxDepth) {
      throw new ValidationError(
        'EVENTWIRE_LIMIT_EXCEEDED',
        `nested deeper than Mixpanel's limit of ${LIMITS.maxDepth} levels`,
        this.#path(key),
      )
    }
    this.#nested ??= new Array<object | undefined>(LIMITS.maxDepth)
    this.#keys ??= new Array<string | number>(LIMITS.maxDepth)
    this.#nested[this.#open] = value
    this.#keys[this.#open] = key
    this.#open++
  }

  /** Ends the innermost visit, forgetting its object. */
  #leave(): void {
    this.#nested![--this.#open] = undefined
  }

  /** A plain object's values at nesting level `depth`: a snapshot's copy, or shared when unchanged. */
  #plain(value: object, depth: number): JsonObject {
    if (!this.#snapshot) return this.#rebuild(value as Record<string, unknown>, depth, false)
    const copy: Record<string, unknown> = { ...value }
    this.#inPlace(copy, depth)
    return copy as JsonObject
  }

  /** Sets, typed arrays, Maps and other objects without a mapping: item by item, one level deeper. */
  #container(value: object, key: string | number, depth: number): JsonValue {
    this.#enter(value, key, depth)
    const inner = depth + 1
    let out: JsonValue
    if (Array.isArray(value)) out = this.#list(value, false, inner)
    else if (value instanceof Set || ArrayBuffer.isView(value)) {
      out = this.#list(Array.from(value as Iterable<unknown>), true, inner)
    } else if (value instanceof Map) out = this.#rebuild(mapToObject(value, this.#path()), inner, true)
    else if (Object.getPrototypeOf(value) !== Object.prototype) {
      out = this.#rebuild(value as Record<string, unknown>, inner, true)
    } else out = this.#plain(value, inner)
    this.#leave()
    return out
  }

  /** A list's items; `owned` when `items` is a new array (changed items are replaced in it). */
  #list(items: unknown[], owned: boolean, depth: number): JsonValue[] {
    this.#checkCollection(items.length, 'items')
    let copy: unknown[] | undefined = owned ? items : this.#snapshot ? items.slice() : undefined
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const out = this.#value(item, i, depth) ?? null
      if (out === item) continue
      copy ??= items.slice()
      copy[i] = out
    }
    return (copy ?? items) as JsonValue[]
  }

  /**
   * Cleans the values of `copy`, a snapshot's own copy of an object, in place at nesting level
   * `depth`: changed values are replaced, and values left out (`undefined`, or keys `skip` picks)
   * set to undefined.
   */
  #inPlace(copy: Record<string, unknown>, depth: number, skip?: (key: string) => boolean): void {
    let count = 0
    let holed = false
    for (const k in copy) {
      if (!hasOwn.call(copy, k)) continue
      const original = copy[k]
      const cleaned = skip?.(k) ? undefined : this.#value(original, k, depth)
      if (cleaned === undefined) {
        if (original !== undefined) setKey(copy, k, undefined)
        holed = true
        continue
      }
      if (cleaned !== original) setKey(copy, k, cleaned)
      this.#chars += k.length
      count++
    }
    if (holed) {
      this.#holed ??= []
      this.#holed.push(copy)
    }
    this.#counted(count, depth)
  }

  /**
   * The values kept from the own keys of `source` at nesting level `depth`, in a new object when
   * `always` or when one of them changes; otherwise `source` itself.
   */
  #rebuild(source: Record<string, unknown>, depth: number, always: boolean): JsonObject {
    let copy: JsonObject | undefined = always ? {} : undefined
    let count = 0
    for (const k in source) {
      if (!hasOwn.call(source, k)) continue
      const original = source[k]
      const cleaned = this.#value(original, k, depth)
      if (copy === undefined && (cleaned !== original || cleaned === undefined)) {
        copy = copyKeysBefore(source, k)
      }
      if (cleaned === undefined) continue
      if (copy !== undefined) setKey(copy, k, cleaned)
      this.#chars += k.length
      count++
    }
    this.#counted(count, depth)
    return copy ?? (source as JsonObject)
  }

  /** Keeps the count of the top level; refuses a nested object with too many keys. */
  #counted(count: number, depth: number): void {
    if (depth === 0) this.count = count
    else this.#checkCollection(count, 'keys')
  }

  #text(text: string): string {
    this.#chars += text.length
    return text
  }

  #checkCollection(count: number, what: 'items' | 'keys'): void {
    if (count > LIMITS.maxCollection) {
      throw new ValidationError(
        'EVENTWIRE_LIMIT_EXCEEDED',
        `${count} ${what}, more than Mixpanel's limit of ${LIMITS.maxCollection}`,
        this.#path(),
      )
    }
  }

  #invalid(message: string, key: string | number): ValidationError {
    return new ValidationError('EVENTWIRE_INVALID_PROPERTY', message, this.#path(key))
  }

  /** The path of the object or list being visited, or of its value under `key`. */
  #path(key?: string | number): string {
    let path = this.#root
    for (let i = 0; i < this.#open; i++) path = pathOf(path, this.#keys![i]!)
    return key === undefined ? path : pathOf(path, key)
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
