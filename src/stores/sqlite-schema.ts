import type BetterSqlite3 from 'better-sqlite3'

/** Schema version written to the meta table; a file with a newer version is refused. */
export const SQLITE_SCHEMA_VERSION = 1

/** Tables and indexes; `lease_until` and `not_before` indexes are partial, so inserts skip them. */
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

/** A stored message as read back. */
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
const READY = 'lease_until <= @now AND not_before <= @now'

type Statement<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>
type Now = [{ now: number }]

/** The prepared statements of an open store. */
export interface Statements {
  insert: Statement<[string, string, string, number, number]>
  oldestReady: Statement<Now, Row>
  readyOfKind: Statement<[{ now: number; kind: string }], Row>
  deleteSeq: Statement<[number]>
  markLeased: Statement<[string, string, number, number]>
  ack: Statement<[number, string]>
  release: Statement<[number, number, string]>
  totals: Statement<[], { count: number; bytes: number }>
  leasedCount: Statement<Now, { n: number }>
  delayedCount: Statement<Now, { n: number }>
  nextRetry: Statement<Now, { at: number | null }>
  releaseAllLeases: Statement<[]>
  getMeta: Statement<[string], { value: string }>
  setMeta: Statement<[string, string]>
}

/** Prepares the statements of one open store. */
export function prepareStatements(db: BetterSqlite3.Database): Statements {
  return {
    insert: db.prepare<[string, string, string, number, number]>(
      'INSERT INTO eventwire_messages (id, kind, json, bytes, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    oldestReady: db.prepare<{ now: number }, Row>(
      `SELECT ${COLUMNS} FROM eventwire_messages WHERE ${READY} ORDER BY seq LIMIT 1`,
    ),
    readyOfKind: db.prepare<{ now: number; kind: string }, Row>(
      `SELECT ${COLUMNS} FROM eventwire_messages WHERE kind = @kind AND ${READY} ORDER BY seq`,
    ),
    deleteSeq: db.prepare<[number]>('DELETE FROM eventwire_messages WHERE seq = ?'),
    markLeased: db.prepare<[string, string, number, number]>(
      'UPDATE eventwire_messages SET lease_id = ?, lease_owner = ?, lease_until = ? WHERE seq = ?',
    ),
    ack: db.prepare<[number, string]>('DELETE FROM eventwire_messages WHERE seq = ? AND lease_id = ?'),
    release: db.prepare<[number, number, string]>(
      `UPDATE eventwire_messages SET lease_id = NULL, lease_owner = NULL, lease_until = 0,
       attempts = attempts + 1, not_before = ? WHERE seq = ? AND lease_id = ?`,
    ),
    totals: db.prepare<[], { count: number; bytes: number }>(
      'SELECT count(*) AS count, CAST(total(bytes) AS INTEGER) AS bytes FROM eventwire_messages',
    ),
    leasedCount: db.prepare<{ now: number }, { n: number }>(
      'SELECT count(*) AS n FROM eventwire_messages WHERE lease_until > 0 AND lease_until > @now',
    ),
    delayedCount: db.prepare<{ now: number }, { n: number }>(
      `SELECT count(*) AS n FROM eventwire_messages
       WHERE not_before > 0 AND not_before > @now AND lease_until <= @now`,
    ),
    nextRetry: db.prepare<{ now: number }, { at: number | null }>(
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
