import type BetterSqlite3 from 'better-sqlite3'
import {
  type SqliteDatabase,
  type SqliteStatement,
  SqliteUnavailableError,
  type SqliteValue,
} from './sqlite-types.js'

/**
 * Opens `path` with better-sqlite3, the optional peer dependency used where the runtime has no
 * usable `node:sqlite` (Node.js 20), or when asked for.
 * @throws {SqliteUnavailableError} when the package is not installed (`missing`) or its native
 *   module does not load in this runtime (`unbuilt`).
 */
export async function openBetterSqlite(path: string, busyTimeoutMs: number): Promise<SqliteDatabase> {
  let Database: typeof BetterSqlite3
  try {
    Database = ((await import('better-sqlite3')) as { default: typeof BetterSqlite3 }).default
  } catch (cause) {
    throw unavailable(cause) ?? cause
  }
  let db: BetterSqlite3.Database
  try {
    db = new Database(path, { timeout: busyTimeoutMs })
  } catch (cause) {
    // The native module is loaded on first use, so a build for another runtime fails here.
    throw unavailable(cause) ?? cause
  }
  return new BetterSqliteDatabase(db)
}

/** The error for a package that is missing or does not load, or undefined for any other failure. */
function unavailable(cause: unknown): SqliteUnavailableError | undefined {
  const e = cause as { code?: unknown; message?: unknown } | undefined
  const message = typeof e?.message === 'string' ? e.message : ''
  if (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    message.includes('better-sqlite3')
  ) {
    return new SqliteUnavailableError('better-sqlite3', 'missing', cause)
  }
  if (
    e?.code === 'ERR_DLOPEN_FAILED' ||
    /bindings file|NODE_MODULE_VERSION|better_sqlite3\.node|compiled against a different Node|not yet supported in Bun|native addon/.test(
      message,
    )
  ) {
    return new SqliteUnavailableError('better-sqlite3', 'unbuilt', cause)
  }
  return undefined
}

/** A better-sqlite3 database behind eventwire's SQLite interface. */
class BetterSqliteDatabase implements SqliteDatabase {
  readonly driver = 'better-sqlite3'
  readonly #db: BetterSqlite3.Database

  constructor(db: BetterSqlite3.Database) {
    this.#db = db
  }

  get open(): boolean {
    return this.#db.open
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return this.#db.prepare(sql) as unknown as SqliteStatement<P, R>
  }

  exec(sql: string): void {
    this.#db.exec(sql)
  }

  pragma(source: string): unknown {
    return this.#db.pragma(source, { simple: true })
  }

  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
    return this.#db.transaction(fn) as unknown as (...args: A) => T
  }

  function(name: string, fn: (...args: SqliteValue[]) => SqliteValue): void {
    this.#db.function(name, { deterministic: true }, fn as (...args: unknown[]) => unknown)
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }
}
