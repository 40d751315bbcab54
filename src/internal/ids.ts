import { randomUUID } from 'node:crypto'

const INSERT_ID = /^[A-Za-z0-9-]{1,36}$/

/** A new random `$insert_id`: a 36-character UUID v4, within Mixpanel's `[A-Za-z0-9-]{1,36}`. */
export function newInsertId(): string {
  return randomUUID()
}

/** True when `value` satisfies Mixpanel's `$insert_id` rule: 1–36 characters of `[A-Za-z0-9-]`. */
export function isValidInsertId(value: unknown): value is string {
  return typeof value === 'string' && INSERT_ID.test(value)
}
