import { EventwireError } from '../errors/index.js'

/**
 * Imports an optional peer dependency when a store first needs it, so `eventwire` itself never
 * requires it. Rejects with `EVENTWIRE_STORE_DEPENDENCY_MISSING`, naming the package, when it is
 * not installed.
 */
export async function loadOptional<T>(packageName: string, feature: string): Promise<T> {
  try {
    return (await import(packageName)) as T
  } catch (error) {
    if (isNotFound(error, packageName)) {
      throw new EventwireError(
        'EVENTWIRE_STORE_DEPENDENCY_MISSING',
        `${feature} needs the optional package "${packageName}", which is not installed: npm install ${packageName}`,
        { cause: error },
      )
    }
    throw error
  }
}

function isNotFound(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false
  return error instanceof Error && error.message.includes(packageName)
}
