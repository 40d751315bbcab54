import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

/**
 * The local collector could not start: its database, port, flag definitions file, TLS certificate
 * or Iglu schema folder (`EVENTWIRE_COLLECTOR_*`).
 */
export class CollectorError extends EventwireError {
  declare readonly code: CodeOf<'CollectorError'>

  constructor(code: CodeOf<'CollectorError'>, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.name = 'CollectorError'
  }
}
