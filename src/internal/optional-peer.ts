import { createRequire } from 'node:module'
import { type CodeOf, MissingDependencyError } from '../errors/index.js'

/**
 * How to tell that a peer package works, for packages whose failure shows only on first use:
 * better-sqlite3 loads its native module when the first database opens, so a package installed
 * without its build (`--ignore-scripts`, pnpm's default) imports fine and fails later.
 */
const PROBES: Record<string, (module: unknown) => void> = {
  'better-sqlite3': (module) => {
    const Database = (module as { default?: unknown }).default ?? module
    ;new (Database as new (path: string) => { close(): void })(':memory:').close()
  },
}

/** Where and why an optional peer is needed: the error code and the feature named in messages. */
export interface PeerUse {
  /** The code of the error for a missing or unbuilt package. */
  readonly code: CodeOf<'MissingDependencyError'>
  /** What needs the package, e.g. `SqliteEventStore` or `eventwire/openfeature`. */
  readonly feature: string
}

/**
 * Imports an optional peer dependency when a feature first needs it.
 *
 * @throws {MissingDependencyError} with `use.code` when the package is not installed or its native module
 * is not built, in one sentence that names the package and the command that installs it.
 */
export async function importPeer<T>(name: string, use: PeerUse): Promise<T> {
  let module: unknown
  try {
    module = await import(name)
  } catch (error) {
    throw peerError(error, name, use) ?? error
  }
  probe(module, name, use)
  return module as T
}

/**
 * Loads an optional peer dependency synchronously (for a subpath that needs it as soon as it is
 * imported), with the same errors as {@link importPeer}.
 */
export function requirePeer<T>(name: string, use: PeerUse): T {
  let module: unknown
  try {
    module = createRequire(import.meta.url)(name)
  } catch (error) {
    throw peerError(error, name, use) ?? error
  }
  probe(module, name, use)
  return module as T
}

function probe(module: unknown, name: string, use: PeerUse): void {
  try {
    PROBES[name]?.(module)
  } catch (error) {
    throw peerError(error, name, use) ?? error
  }
}

/** The install hint for `error` when it says that `name` is missing, incomplete or unbuilt; undefined otherwise. */
export function peerError(error: unknown, name: string, use: PeerUse): MissingDependencyError | undefined {
  const missing = missingModule(error)
  if (missing === name || missing?.startsWith(`${name}/`)) {
    return new MissingDependencyError(
      use.code,
      `${use.feature} needs the optional package "${name}", which is not installed: run \`npm install ${name}\`.`,
      { cause: error },
    )
  }
  if (missing !== undefined) {
    return new MissingDependencyError(
      use.code,
      `${use.feature} needs the optional package "${name}", which is installed incompletely (it cannot find ${missing}): run \`npm install ${name}\` again.`,
      { cause: error },
    )
  }
  if (isUnbuiltNativeModule(error)) {
    return new MissingDependencyError(
      use.code,
      `${use.feature} needs the optional package "${name}", whose native module is not built for Node.js ${process.version}: run \`npm rebuild ${name}\` (or \`npm install ${name}\` with install scripts allowed).`,
      { cause: error },
    )
  }
  return undefined
}

/** The module a "cannot find" error names (`Cannot find package 'x'`, `Cannot find module 'x'`). */
function missingModule(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined
  const message = error instanceof Error ? error.message : ''
  return /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1]
}

/** Whether `error` is a native module that is missing its build or was built for another Node.js. */
export function isUnbuiltNativeModule(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined
  const message = typeof e?.message === 'string' ? e.message : ''
  return (
    e?.code === 'ERR_DLOPEN_FAILED' ||
    /bindings file|NODE_MODULE_VERSION|compiled against a different Node/.test(message)
  )
}
