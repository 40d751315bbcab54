import { randomUUID } from 'node:crypto'

const INSERT_ID = /^[A-Za-z0-9-]{1,36}$/

/** A new random `$insert_id`: a 36-character UUID v4, within Mixpanel's `[A-Za-z0-9-]{1,36}`. */
export function newInsertId(): string {
  return flatten(randomUUID())
}

/**
 * Returns `value` after making V8 store it as one flat string. Node's `randomUUID()` returns a
 * rope of some twenty concatenated pieces (about 700 heap bytes); a queued message keeps its id,
 * so without this, ids alone would outweigh the messages' JSON.
 */
export function flatten(value: string): string {
  // Reading a character of a rope flattens it in place.
  value.charCodeAt(0)
  return value
}

/** True when `value` satisfies Mixpanel's `$insert_id` rule: 1–36 characters of `[A-Za-z0-9-]`. */
export function isValidInsertId(value: unknown): value is string {
  return typeof value === 'string' && INSERT_ID.test(value)
}
