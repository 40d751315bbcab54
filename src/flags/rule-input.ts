import { walkPath } from './json-logic-operations.js'
import { lowercaseKeysAndValues } from './lowercase.js'

// What a lower-cased copy inherits: a plain object's and an array's prototype properties.
const PLAIN_OBJECT: Readonly<Record<string, unknown>> = Object.freeze({})
const PLAIN_ARRAY: Readonly<Record<string, unknown>> = Object.freeze([]) as unknown as Record<string, unknown>

/**
 * An error the context threw while a rule read it (a getter, a proxy, a cycle too deep to copy):
 * not the rule's failure, so it ends the evaluation as any other error reading the context does.
 */
export class ContextReadError extends Error {
  constructor(cause: unknown) {
    super('reading custom_properties failed', { cause })
    this.name = 'ContextReadError'
  }
}

/**
 * What a runtime rule reads: the context's `custom_properties` as Mixpanel's SDKs hand them to
 * json-logic-js (null unless an object; keys and string values lower-cased). Reading is lazy: a rule
 * that reads one property lower-cases that property only. One instance per evaluator, reset for
 * every context.
 */
export class RuleInput {
  #context: { custom_properties?: unknown } | undefined
  // What has been read from #context: nothing yet, #root, or #root and #lowered.
  #state: 'none' | 'root' | 'lowered' = 'none'
  #root: unknown = null
  #lowered: unknown = null

  /** Starts a new context; nothing is read from it until a rule asks. */
  reset(context: { custom_properties?: unknown }): void {
    this.#context = context
    this.#state = 'none'
  }

  /** `custom_properties` when it is an object, else null, as given (not lower-cased). */
  root(): unknown {
    if (this.#state === 'none') {
      let properties: unknown
      try {
        properties = this.#context?.custom_properties
      } catch (error) {
        throw new ContextReadError(error)
      }
      this.#root = typeof properties === 'object' && properties !== null ? properties : null
      this.#state = 'root'
    }
    return this.#root
  }

  /** The whole of {@link root} lower-cased, built at most once per context. */
  lowered(): unknown {
    if (this.#state !== 'lowered') {
      const root = this.root()
      try {
        this.#lowered = lowercaseKeysAndValues(root)
      } catch (error) {
        throw new ContextReadError(error)
      }
      this.#state = 'lowered'
    }
    return this.#lowered
  }

  /**
   * What `var` finds at `parts` (a dotted path, split) in {@link lowered}, or `notFound`,
   * lower-casing only what the path reaches.
   */
  read(parts: readonly string[], notFound: unknown): unknown {
    let value = this.root()
    // True while `value` is a part of the properties as given, which must still be lower-cased.
    let raw = true
    for (let i = 0; i < parts.length; i++) {
      if (raw && (typeof value !== 'object' || value === null || value instanceof Date)) {
        // Before indexing: lower-casing can change a string's length.
        value = lowercaseKeysAndValues(value)
        raw = false
      }
      if (value === null || value === undefined) return notFound
      const part = parts[i]!
      // Past the properties (a prototype's member, a string's character...), an error is the
      // rule's, as in json-logic-js: `constructor.caller` throws.
      if (!raw) value = (value as Record<string, unknown>)[part]
      else {
        try {
          if (Array.isArray(value)) {
            const index = arrayIndex(part)
            if (index !== -1) value = Object.hasOwn(value, index) ? value[index] : undefined
            else {
              value = part === 'length' ? value.length : PLAIN_ARRAY[part]
              raw = false
            }
          } else {
            const key = foldedKey(value as object, part)
            if (key !== undefined) value = (value as Record<string, unknown>)[key]
            else {
              value = PLAIN_OBJECT[part]
              raw = false
            }
          }
        } catch (error) {
          throw new ContextReadError(error)
        }
      }
      if (value === undefined) return notFound
    }
    if (!raw) return value
    // Objects and arrays come from the one lower-cased copy: two reads give the same object, as
    // they do in json-logic-js, and `==` compares objects by identity.
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      return walkPath(this.lowered(), parts, notFound)
    }
    return lowercaseKeysAndValues(value)
  }
}

// The last own enumerable key of `object` that lower-cases to `part`: in the lower-cased copy a
// later key overwrites an earlier one.
function foldedKey(object: object, part: string): string | undefined {
  let found: string | undefined
  for (const key in object) {
    if ((key === part || key.toLowerCase() === part) && Object.hasOwn(object, key)) found = key
  }
  return found
}

// The array index `part` names (canonical form only: "1", not "01"), or -1.
function arrayIndex(part: string): number {
  const n = Number(part)
  return Number.isInteger(n) && n >= 0 && n < 4294967295 && String(n) === part ? n : -1
}
