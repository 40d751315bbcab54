import { openBetterSqlite } from './sqlite-better.js'
import { nodeSqliteModule, openNodeSqlite } from './sqlite-node.js'
import { type SqliteDatabase, type SqliteDriverName, SqliteUnavailableError } from './sqlite-types.js'

/** How to open a database. */
export interface OpenSqliteOptions {
  /** Which engine; by default `node:sqlite` where the runtime has a usable one, else better-sqlite3. */
  readonly driver?: SqliteDriverName
  /** How long a statement waits for another connection's lock, in milliseconds. @default 5000 */
  readonly busyTimeoutMs?: number
}

/**
 * The engine used when none is asked for: `node:sqlite` where the runtime has a usable one
 * (Node.js ≥ 22.13, Bun and Deno with `node:sqlite`), else better-sqlite3 (Node.js 20).
 */
export function defaultSqliteDriver(): SqliteDriverName {
  return nodeSqliteModule() === undefined ? 'better-sqlite3' : 'node:sqlite'
}

/**
 * Opens (or creates) the SQLite database at `path` with the chosen engine.
 * @throws {SqliteUnavailableError} when the engine cannot be loaded; the engine's own error when the
 *   file cannot be opened.
 */
export async function openSqlite(path: string, options: OpenSqliteOptions = {}): Promise<SqliteDatabase> {
  const driver = options.driver ?? defaultSqliteDriver()
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000
  if (driver === 'node:sqlite') {
    const module = nodeSqliteModule()
    if (module === undefined) throw new SqliteUnavailableError(driver, 'no-node-sqlite')
    return openNodeSqlite(module, path, busyTimeoutMs)
  }
  return openBetterSqlite(path, busyTimeoutMs)
}

/**
 * A name for this runtime in messages: `Node.js v22.x`, `Bun 1.x`, `Deno 2.x`.
 */
export function runtimeName(): string {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process
    ?.versions
  if (versions?.bun !== undefined) return `Bun ${versions.bun}`
  if (versions?.deno !== undefined) return `Deno ${versions.deno}`
  return `Node.js ${versions?.node === undefined ? 'unknown' : `v${versions.node}`}`
}

/**
 * Explains in one sentence why `feature` cannot open a SQLite file and what to do, naming the
 * package or runtime that would work; `instead` names what the caller offers without SQLite
 * (e.g. "use the in-memory store"), if anything.
 */
export function sqliteUnavailableMessage(
  error: SqliteUnavailableError,
  feature: string,
  instead?: string,
): string {
  const runtime = runtimeName()
  const or = instead === undefined ? '' : `, or ${instead}`
  if (!runtime.startsWith('Node.js')) {
    if (error.driver === 'better-sqlite3' && nodeSqliteModule() !== undefined) {
      return `${feature} cannot use better-sqlite3, which does not load in ${runtime}: use the driver "node:sqlite" (the default there)${or}.`
    }
    return `${feature} needs SQLite through node:sqlite, which ${runtime} does not provide (better-sqlite3 does not load there): update ${runtime.split(' ')[0]}${or}.`
  }
  if (error.reason === 'no-node-sqlite') {
    return `${feature} was asked to use node:sqlite, which ${runtime} does not have (Node.js 22.13 and later do): use the driver "better-sqlite3"${or}.`
  }
  // better-sqlite3 asked for on a Node.js that has node:sqlite: leaving the driver out is the fix.
  const builtin =
    nodeSqliteModule() === undefined ? '' : `, or leave the driver out to use the built-in node:sqlite`
  if (error.reason === 'missing') {
    if (builtin !== '') {
      return `${feature} was asked to use the optional package "better-sqlite3", which is not installed: run \`npm install better-sqlite3\`${builtin}${or}.`
    }
    return `${feature} needs the optional package "better-sqlite3" on ${runtime}, which has no built-in node:sqlite, and it is not installed: run \`npm install better-sqlite3\` (or use Node.js 22.13 or later, which needs no package)${or}.`
  }
  return `${feature} needs the optional package "better-sqlite3" on ${runtime}, and its native module is not built for this Node.js: run \`npm rebuild better-sqlite3\`${builtin}${or}.`
}
