import { ConfigError } from '../errors/index.js'

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
