import type { ItemKind, StoredItem, StoredProfile, StoredRequest } from './types.js'

/** Version of the collector's database layout (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 2

/** Tables and indexes, created when missing. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT,
  distinct_id TEXT,
  group_key TEXT,
  insert_id TEXT,
  time INTEGER,
  valid INTEGER NOT NULL,
  issues TEXT NOT NULL,
  payload TEXT NOT NULL,
  decoded TEXT,
  accepted INTEGER NOT NULL DEFAULT 1,
  request_id INTEGER
);
CREATE INDEX IF NOT EXISTS items_name ON items (name);
CREATE INDEX IF NOT EXISTS items_distinct_id ON items (distinct_id);
CREATE INDEX IF NOT EXISTS items_received_at ON items (received_at);
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL,
  body TEXT NOT NULL,
  body_bytes INTEGER NOT NULL,
  body_truncated INTEGER NOT NULL,
  response TEXT NOT NULL,
  items INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS insert_ids (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS profiles (
  kind TEXT NOT NULL,
  group_key TEXT NOT NULL,
  id TEXT NOT NULL,
  properties TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, group_key, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES ('requests', 0);
`

/**
 * From layout 1 (before requests were kept): the verdict and request columns. Items refused by a
 * receiver's rules are told apart by their issues' sources.
 */
export const MIGRATE_FROM_1 = `
ALTER TABLE items ADD COLUMN accepted INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN request_id INTEGER;
UPDATE items SET accepted = 0 WHERE valid = 0 AND (issues LIKE '%"source":"mixpanel"%' OR issues LIKE '%"source":"snowplow"%');
`

/** One row of `items`. */
export interface ItemRow {
  id: number
  received_at: number
  source: StoredItem['source']
  endpoint: string
  kind: ItemKind
  name: string | null
  distinct_id: string | null
  group_key: string | null
  insert_id: string | null
  time: number | null
  valid: number
  issues: string
  payload: string
  decoded: string | null
  accepted: number
  request_id: number | null
}

/** One row of `requests`. */
export interface RequestRow {
  id: number
  received_at: number
  method: string
  url: string
  headers: string
  body: string
  body_bytes: number
  body_truncated: number
  response: string
  items: number
}

/** One row of `profiles`. */
export interface ProfileRow {
  kind: 'user' | 'group'
  group_key: string
  id: string
  properties: string
  updated_at: number
}

/** An item read back from its row. */
export function fromRow(row: ItemRow): StoredItem {
  const item: StoredItem = {
    id: row.id,
    receivedAt: row.received_at,
    source: row.source,
    endpoint: row.endpoint,
    kind: row.kind,
    name: row.name,
    distinctId: row.distinct_id,
    groupKey: row.group_key,
    insertId: row.insert_id,
    time: row.time,
    valid: row.valid === 1,
    accepted: row.accepted === 1,
    requestId: row.request_id,
    issues: JSON.parse(row.issues),
    payload: JSON.parse(row.payload),
  }
  if (row.decoded !== null) item.decoded = JSON.parse(row.decoded)
  return item
}

/** A request read back from its row. */
export function requestFromRow(row: RequestRow): StoredRequest {
  return {
    id: row.id,
    receivedAt: row.received_at,
    method: row.method,
    url: row.url,
    headers: JSON.parse(row.headers),
    body: row.body,
    bodyBytes: row.body_bytes,
    bodyTruncated: row.body_truncated === 1,
    response: JSON.parse(row.response),
    items: row.items,
  }
}

/** A profile read back from its row. */
export function profileFromRow(row: ProfileRow): StoredProfile {
  return {
    kind: row.kind,
    groupKey: row.kind === 'group' ? row.group_key : null,
    id: row.id,
    properties: JSON.parse(row.properties),
    updatedAt: row.updated_at,
  }
}
