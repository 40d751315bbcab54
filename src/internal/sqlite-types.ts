/** The SQLite engines eventwire can open a file with. */
export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3'

/** A value SQLite binds: named parameters come as one object. */
export type SqliteValue = string | number | bigint | null | Uint8Array

/** What `run()` reports; both engines answer in this shape. */
export interface SqliteRunResult {
  readonly changes: number | bigint
  readonly lastInsertRowid: number | bigint
}

/**
 * A prepared statement. Both engines' statements have these four methods with the same meaning,
 * so they are used as they are, without a wrapper. Rows from `node:sqlite` have a null prototype.
 */
export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): SqliteRunResult
  get(...params: P): R | undefined
  all(...params: P): R[]
  iterate(...params: P): IterableIterator<R>
}

/** One open database, the same whichever engine opened it. */
export interface SqliteDatabase {
  /** The engine behind this database. */
  readonly driver: SqliteDriverName
  /** False once closed. */
  readonly open: boolean
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>
  /** Runs one or more statements that return nothing. */
  exec(sql: string): void
  /** Runs `PRAGMA <source>`; returns the first column of the first row, if any. */
  pragma(source: string): unknown
  /**
   * Wraps `fn` in a transaction (BEGIN … COMMIT, or ROLLBACK when it throws; a savepoint when
   * called inside another one), as better-sqlite3's `db.transaction(fn)` does.
   */
  transaction<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T
  /** Registers a deterministic SQL function. */
  function(name: string, fn: (...args: SqliteValue[]) => SqliteValue): void
  close(): void
}

/** Why no engine could open a database. */
export type SqliteUnavailableReason =
  /** better-sqlite3 is not installed. */
  | 'missing'
  /** better-sqlite3 is installed but its native module does not load in this runtime. */
  | 'unbuilt'
  /** `node:sqlite` was asked for and this runtime has no usable one. */
  | 'no-node-sqlite'

/** Thrown by {@link openSqlite} when the engine cannot be loaded; callers turn it into their own error. */
export class SqliteUnavailableError extends Error {
  readonly reason: SqliteUnavailableReason
  readonly driver: SqliteDriverName

  constructor(driver: SqliteDriverName, reason: SqliteUnavailableReason, cause?: unknown) {
    super(`${driver} is not available (${reason})`, cause === undefined ? undefined : { cause })
    this.name = 'SqliteUnavailableError'
    this.driver = driver
    this.reason = reason
  }
}

/**
 * The SQLite result code name of an engine error (`SQLITE_BUSY`, `SQLITE_LOCKED`, …), from
 * better-sqlite3's `code` or `node:sqlite`'s numeric `errcode`; undefined for other errors.
 */
export function sqliteErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errcode?: unknown } | undefined
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) return e.code
  if (typeof e?.errcode === 'number') return PRIMARY_CODES[e.errcode & 0xff] ?? `SQLITE_ERROR_${e.errcode}`
  return undefined
}

/** Primary result codes that callers tell apart. */
const PRIMARY_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
}

/** The first column of a row (a `SELECT count(*) …` answer), or undefined without a row. */
export function firstColumn<T>(row: unknown): T | undefined {
  if (row === undefined || row === null) return undefined
  for (const key in row as object) return (row as Record<string, T>)[key]
  return undefined
}
