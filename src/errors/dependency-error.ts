import type { CodeOf } from './codes.js'
import { EventwireError } from './eventwire-error.js'

/**
 * A feature needs an optional peer package that is not installed, installed incompletely or not
 * built: `EVENTWIRE_DEPENDENCY_MISSING` (`eventwire/openfeature`),
 * `EVENTWIRE_STORE_DEPENDENCY_MISSING` (stores) or `EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING`. The
 * message names the package and the command that installs it.
 */
export class MissingDependencyError extends EventwireError {
  declare readonly code: CodeOf<'MissingDependencyError'>

  constructor(code: CodeOf<'MissingDependencyError'>, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.name = 'MissingDependencyError'
  }
}
