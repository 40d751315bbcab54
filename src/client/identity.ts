import { ValidationError } from '../errors/index.js'
import { LIMITS } from './limits.js'

/** Distinct ids Mixpanel's `/import` rejects (compared case-insensitively); also invalid as `$insert_id`. */
export const FORBIDDEN_DISTINCT_IDS: ReadonlySet<string> = new Set([
  '00000000-0000-0000-0000-000000000000',
  'anon',
  'anonymous',
  'nil',
  'none',
  'null',
  'n/a',
  'na',
  'undefined',
  'unknown',
  '<nil>',
  '0',
  '-1',
  'true',
  'false',
  '[]',
  '{}',
])

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** True when a distinct id looks like an e-mail address (a poor, changeable, personal id). */
export function looksLikeEmail(id: string): boolean {
  return id.length <= 320 && id.includes('@') && EMAIL.test(id)
}

/**
 * Checks a distinct id argument: a string (numbers are converted). With `forImport`, the values
 * Mixpanel's `/import` rejects are refused here with `EVENTWIRE_FORBIDDEN_DISTINCT_ID`.
 */
export function checkDistinctId(value: unknown, path: string, forImport: boolean): string {
  let id: string
  if (typeof value === 'string') id = value
  else if (typeof value === 'number' && Number.isFinite(value)) id = String(value)
  else throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'distinct id must be a string', path)
  checkLength(id, LIMITS.maxIdLength, 'distinct id', path)
  if (forImport && FORBIDDEN_DISTINCT_IDS.has(id.trim().toLowerCase())) {
    throw new ValidationError(
      'EVENTWIRE_FORBIDDEN_DISTINCT_ID',
      `${JSON.stringify(id)} is a placeholder value that Mixpanel's /import rejects as a distinct id`,
      path,
    )
  }
  return id
}

/** Checks an event name: a non-empty string of at most 255 characters. */
export function checkEventName(value: unknown, path = 'event'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'event name must be a non-empty string', path)
  }
  checkLength(value, LIMITS.maxNameLength, 'event name', path)
  return value
}

/**
 * Refuses a string longer than `max` characters (code points) with `EVENTWIRE_LIMIT_EXCEEDED`.
 * Costs one length comparison for strings of at most `max` UTF-16 units.
 */
export function checkLength(value: string, max: number, what: string, path: string): void {
  if (value.length <= max) return
  let characters = 0
  for (const _ of value) if (++characters > max) break
  if (characters > max) {
    throw new ValidationError(
      'EVENTWIRE_LIMIT_EXCEEDED',
      `${what} is ${value.length > 10_000 ? 'more than 10,000' : [...value].length} characters long, more than Mixpanel's limit of ${max}`,
      path,
    )
  }
}
