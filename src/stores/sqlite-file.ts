import { EventwireError, MissingDependencyError, StoreError } from '../errors/index.js'
import {
  openSqlite,
  type SqliteDatabase,
  type SqliteDriverName,
  SqliteUnavailableError,
  sqliteErrorCode,
  sqliteUnavailableMessage,
} from '../internal/index.js'
import type { Message } from '../message/index.js'
import {
  prepareStatements,
  type Row,
  SQLITE_SCHEMA,
  SQLITE_SCHEMA_VERSION,
  type Statements,
} from './sqlite-schema.js'
import { readStored, type StoredFields, storedOrStandIn } from './stored-message.js'

/** A store file, open and ready. */
export interface SqliteFile {
  readonly db: SqliteDatabase
  readonly sql: Statements
  /** Messages held. */
  readonly count: number
  /** Bytes of message JSON held. */
  readonly bytes: number
  /** Leases of the previous owner, released at open. */
  readonly resumedLeases: number
  /** Seqs of rows of no known kind, which no lease by kind would ever take. */
  readonly strays: number[]
}

/**
 * Opens (or creates) a store file: opens it with the SQLite driver (`node:sqlite` or
 * better-sqlite3), takes the exclusive lock, switches to WAL, creates or checks the schema, and
 * releases the leases of the previous owner — who is gone, since the lock could be taken.
 */
export async function openSqliteFile(
  path: string,
  lockTimeoutMs: number,
  driver: SqliteDriverName | undefined,
): Promise<SqliteFile> {
  let db: SqliteDatabase | undefined
  try {
    db = await openSqlite(path, { driver, busyTimeoutMs: lockTimeoutMs })
    // Exclusive locking: one process owns the file, so leases found at open belong to a dead owner.
    db.pragma('locking_mode = EXCLUSIVE')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(SQLITE_SCHEMA)
    const sql = prepareStatements(db)
    const version = Number(sql.getMeta.get('schema_version')?.value ?? SQLITE_SCHEMA_VERSION)
    if (version > SQLITE_SCHEMA_VERSION) {
      throw new StoreError(
        'EVENTWIRE_STORE_INCOMPATIBLE',
        `${path} has store schema ${version}; this eventwire reads schema ${SQLITE_SCHEMA_VERSION}`,
      )
    }
    const resumedLeases = db.transaction(() => {
      sql.setMeta.run('schema_version', String(SQLITE_SCHEMA_VERSION))
      return Number(sql.releaseAllLeases.run().changes)
    })()
    const totals = sql.totals.get()!
    const strays = sql.strays.all().map((row) => row.seq)
    return { db, sql, count: totals.count, bytes: totals.bytes, resumedLeases, strays }
  } catch (error) {
    db?.close()
    throw toStoreError(error, path)
  }
}

/** Rebuilds a message from its row, or says why the row cannot be one (see `readStored`). */
export function readRow(row: Row): Message | string {
  return readStored(rowFields(row))
}

/** The message of a row, or a stand-in for it when it is unreadable (a row evicted as it is). */
export function rowMessage(row: Row): Message {
  return storedOrStandIn(rowFields(row))
}

/** What a row holds, unchecked. */
export function rowFields(row: Row): StoredFields {
  return { kind: row.kind, id: row.id, json: row.json, createdAt: row.created_at }
}

/** Wraps a SQLite failure: a lock held elsewhere, or an engine error (retryable). */
export function toStoreError(error: unknown, path: string): EventwireError {
  if (error instanceof EventwireError) return error
  if (error instanceof SqliteUnavailableError) {
    return new MissingDependencyError(
      'EVENTWIRE_STORE_DEPENDENCY_MISSING',
      sqliteUnavailableMessage(
        error,
        'SqliteEventStore',
        'use the in-memory store (the default) or RedisEventStore (eventwire/redis)',
      ),
      { cause: error },
    )
  }
  const code = sqliteErrorCode(error)
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StoreError('EVENTWIRE_STORE_LOCKED', `${path} is open in another process`, {
      cause: error,
    })
  }
  const detail = error instanceof Error ? error.message : String(error)
  return new StoreError('EVENTWIRE_STORE_ERROR', `SQLite store ${path} failed: ${detail}`, {
    cause: error,
    retryable: true,
  })
}
