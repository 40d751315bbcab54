import type { SqliteDatabase, SqliteStatement } from '../internal/index.js'
import { ENDPOINTS } from '../message/index.js'

/** Schema version written to the meta table; a file with a newer version is refused. */
export const SQLITE_SCHEMA_VERSION = 1

/**
 * Tables and indexes; `lease_until` and `not_before` indexes are partial, so inserts skip them.
 * Leases are kept in memory by the process that owns the file; the `lease_*` columns are only
 * cleared at open, for files written by stores that recorded leases in the rows.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS eventwire_store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS eventwire_messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  json TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT,
  lease_owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS eventwire_messages_kind ON eventwire_messages (kind, seq);
CREATE INDEX IF NOT EXISTS eventwire_messages_leased ON eventwire_messages (lease_until) WHERE lease_until > 0;
CREATE INDEX IF NOT EXISTS eventwire_messages_delayed ON eventwire_messages (not_before) WHERE not_before > 0;
`

/**
 * A stored message as read back. The types are what eventwire writes; a damaged row (or one
 * written by something else) can hold anything, so rows are checked when read (`readRow`).
 */
export interface Row {
  seq: number
  id: string
  kind: string
  json: string
  bytes: number
  created_at: number
  attempts: number
}

const COLUMNS = 'seq, id, kind, json, bytes, created_at, attempts'

type Statement<P extends unknown[], R = unknown> = SqliteStatement<P, R>
type Now = [{ now: number }]

/** The prepared statements of an open store. */
export interface Statements {
  insert: Statement<[string, string, string, number, number]>
  /** Rows of a kind never leased since the store opened (`not_before` 0), after a seq, oldest first. */
  freshOfKind: Statement<[{ kind: string; after: number }], Row>
  /** Rows of a kind back from a lease (`not_before` > 0) whose retry time has come, oldest first. */
  returnedOfKind: Statement<[{ kind: string; now: number }], Row>
  /** The row at a seq. */
  rowAt: Statement<[number], Row>
  /** Seqs of rows of no known kind (damaged, or written by something else), oldest first. */
  strays: Statement<[], { seq: number }>
  deleteSeq: Statement<[number]>
  /** A leased row back in the store: one more attempt, not before the given time (> 0). */
  release: Statement<[number, number]>
  totals: Statement<[], { count: number; bytes: number }>
  delayedCount: Statement<Now, { n: number }>
  nextRetry: Statement<Now, { at: number | null }>
  releaseAllLeases: Statement<[]>
  getMeta: Statement<[string], { value: string }>
  setMeta: Statement<[string, string]>
}

/** Prepares the statements of one open store. */
export function prepareStatements(db: SqliteDatabase): Statements {
  return {
    insert: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO eventwire_messages (id, kind, json, bytes, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    freshOfKind: db.prepare<[{ kind: string; after: number }], Row>(
      `SELECT ${COLUMNS} FROM eventwire_messages INDEXED BY eventwire_messages_kind
       WHERE kind = @kind AND seq > @after AND not_before = 0 ORDER BY seq`,
    ),
    returnedOfKind: db.prepare<[{ kind: string; now: number }], Row>(
      // The few rows back from a lease, not a scan of every row of the kind.
      `SELECT ${COLUMNS} FROM eventwire_messages INDEXED BY eventwire_messages_delayed
       WHERE not_before > 0 AND not_before <= @now AND kind = @kind ORDER BY seq`,
    ),
    rowAt: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM eventwire_messages WHERE seq = ?`),
    strays: db.prepare<[], { seq: number }>(
      `SELECT seq FROM eventwire_messages
       WHERE kind NOT IN (${ENDPOINTS.map((kind) => `'${kind}'`).join(', ')}) ORDER BY seq`,
    ),
    deleteSeq: db.prepare<[number]>('DELETE FROM eventwire_messages WHERE seq = ?'),
    release: db.prepare<[number, number]>(
      'UPDATE eventwire_messages SET attempts = attempts + 1, not_before = ? WHERE seq = ?',
    ),
    totals: db.prepare<[], { count: number; bytes: number }>(
      'SELECT count(*) AS count, CAST(total(bytes) AS INTEGER) AS bytes FROM eventwire_messages',
    ),
    delayedCount: db.prepare<Now, { n: number }>(
      'SELECT count(*) AS n FROM eventwire_messages WHERE not_before > 0 AND not_before > @now',
    ),
    nextRetry: db.prepare<Now, { at: number | null }>(
      'SELECT min(not_before) AS at FROM eventwire_messages WHERE not_before > 0 AND not_before > @now',
    ),
    releaseAllLeases: db.prepare<[]>(
      'UPDATE eventwire_messages SET lease_id = NULL, lease_owner = NULL, lease_until = 0 WHERE lease_until > 0',
    ),
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM eventwire_store_meta WHERE key = ?'),
    setMeta: db.prepare<[string, string]>(
      'INSERT INTO eventwire_store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  }
}
