import { ConfigError } from '../errors/index.js'
import { SUGGESTION_KINDS, suggestOptionName } from './option-hints.js'

/** Every option name of an options interface `T`, written `{ name: true, ... }`. */
export type OptionList<T> = { readonly [K in keyof T]-?: true }

/**
 * Declares the option names of the options interface `T`:
 * `optionList<BatchConsumerOptions>()({ batchSize: true, ... })`. The compiler checks the list
 * both ways, every key of `T` listed and nothing else, so it cannot drift from the interface.
 */
export function optionList<T>(): <const L extends OptionList<T>>(
  list: L & { readonly [K in Exclude<keyof L, keyof T>]: never },
) => OptionList<T> {
  return (list) => list
}

/** A copy of an option list without `names` (for an options type that `Omit`s them). */
export function omitOptions<L extends object, K extends keyof L>(list: L, ...names: K[]): Omit<L, K> {
  const out = { ...list }
  for (const name of names) delete out[name]
  return out
}

/** What {@link checkOptions} also needs to know about an options object. */
export interface CheckOptionsContext {
  /** The options object must be given (`undefined` is refused too). @default false */
  required?: boolean
  /**
   * Names that are options of another object, each with where they go, e.g.
   * `{ batchSize: 'an option of BatchConsumer: pass { consumer: new BatchConsumer({ batchSize }) }' }`.
   */
  elsewhere?: Readonly<Record<string, string>>
}

/**
 * Checks that `options` is a plain options object whose every key is one of `names`; `owner`
 * names the constructor or function in the error (`BatchConsumer`, `RedisEventStore.open`).
 * Called at construction, and by the calls that take an options object (`people.set(..., options)`,
 * `close(options)`); never on the `track()` path, which takes none.
 *
 * @throws {ConfigError} for `null` or a value that is not an object, and for the first unknown
 *   key, naming it and, where one is close, the option meant: `"eventStore" is not an option of
 *   BatchConsumer; did you mean "store"?`
 */
export function checkOptions(
  options: unknown,
  names: Readonly<Record<string, true>>,
  owner: string,
  context: CheckOptionsContext = {},
): void {
  if (options === undefined && context.required !== true) return
  let keys: string[]
  try {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ConfigError('options', `${owner} expects an options object, got ${describe(options)}`)
    }
    keys = Object.keys(options)
  } catch (error) {
    if (error instanceof ConfigError) throw error
    // A revoked Proxy, or one whose traps throw.
    throw new ConfigError('options', `${owner} could not read its options object`, { cause: error })
  }
  for (const key of keys) {
    if (!Object.hasOwn(names, key)) throw unknownOption(key, names, owner, context.elsewhere)
  }
}

function unknownOption(
  key: string,
  names: Readonly<Record<string, true>>,
  owner: string,
  elsewhere: Readonly<Record<string, string>> | undefined,
): ConfigError {
  const head = `${JSON.stringify(key)} is not an option of ${owner}`
  const own = Object.keys(names)
  const other = elsewhere === undefined ? [] : Object.keys(elsewhere)
  // A surer kind of match wins, whether it is an option of this object or of another one.
  for (const kind of SUGGESTION_KINDS) {
    const meant = suggestOptionName(key, own, kind)
    if (meant !== undefined) {
      return new ConfigError(key, `${head}; did you mean ${JSON.stringify(meant)}?`, {
        suggestion: meant,
        unknown: true,
      })
    }
    const there = suggestOptionName(key, other, kind)
    if (there !== undefined && elsewhere !== undefined) {
      const named = key === there ? '' : ` (eventwire calls it ${JSON.stringify(there)})`
      return new ConfigError(key, `${head}${named}: ${elsewhere[there]}`, {
        suggestion: there,
        unknown: true,
      })
    }
  }
  const known = Object.keys(names).sort().join(', ')
  return new ConfigError(key, `${head} (its options: ${known})`, { unknown: true })
}

/** `options` without the keys whose value is undefined. */
export function definedOptions<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (out as Record<string, unknown>)[key] = value
  }
  return out
}

/** The entries of `options` whose key is in `names` (to hand part of an options object on). */
export function pickOptions<T extends object>(options: T, names: Readonly<Record<string, true>>): Partial<T> {
  const out: Partial<T> = {}
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(names, key))
      (out as Record<string, unknown>)[key] = (options as Record<string, unknown>)[key]
  }
  return out
}

/** Checks an integer option in `[min, max]`; returns `fallback` when `value` is undefined. */
export function intOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${describe(value)}`)
  }
  return value
}

/** Checks a finite number option in `[min, max]`; returns `fallback` when `value` is undefined. */
export function numberOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max = Number.MAX_VALUE,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a number from ${min} to ${max}, got ${describe(value)}`)
  }
  return value
}

/** Checks a boolean option; returns `fallback` when `value` is undefined. */
export function boolOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean')
    throw new ConfigError(name, `expected true or false, got ${describe(value)}`)
  return value
}

/** Checks a non-empty string option; returns `fallback` when `value` is undefined. */
export function stringOption<T extends string | undefined>(
  name: string,
  value: unknown,
  fallback: T,
): string | T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(name, `expected a non-empty string, got ${describe(value)}`)
  }
  return value
}

/** Checks that `value` is one of `allowed`; returns `fallback` when `value` is undefined. */
export function enumOption<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ConfigError(
      name,
      `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`,
    )
  }
  return value as T
}

/** A short, secret-free description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'undefined':
      return 'undefined'
    case 'function':
      return 'a function'
    case 'symbol':
      return 'a symbol'
    default:
      return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
  }
}
