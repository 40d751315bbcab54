import type { CodeOf } from './codes.js'
import { EventwireError, type EventwireErrorOptions } from './eventwire-error.js'

/**
 * A storage engine failed: `EVENTWIRE_STORE_ERROR` (SQLite I/O, a Redis connection or command;
 * retryable), `EVENTWIRE_STORE_LOCKED` (a SQLite file another process holds) or
 * `EVENTWIRE_STORE_INCOMPATIBLE` (data written by an incompatible eventwire version).
 */
export class StoreError extends EventwireError {
  declare readonly code: CodeOf<'StoreError'>

  constructor(code: CodeOf<'StoreError'>, message: string, options: EventwireErrorOptions = {}) {
    super(code, message, options)
    this.name = 'StoreError'
  }
}
