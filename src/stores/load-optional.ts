import { importPeer } from '../internal/index.js'

/**
 * Imports an optional peer dependency when a store first needs it, so `eventwire` itself never
 * requires it. Rejects with `EVENTWIRE_STORE_DEPENDENCY_MISSING`, naming the package and the
 * command that installs it, when it is not installed or (better-sqlite3) its native module is not
 * built.
 */
export function loadOptional<T>(packageName: string, feature: string): Promise<T> {
  return importPeer<T>(packageName, { code: 'EVENTWIRE_STORE_DEPENDENCY_MISSING', feature })
}
