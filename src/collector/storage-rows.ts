import type { ItemKind, NewItem, StoredItem, StoredProfile } from './types.js'

/** Version of the collector's database layout (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 1

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
  decoded TEXT
);
CREATE INDEX IF NOT EXISTS items_name ON items (name);
CREATE INDEX IF NOT EXISTS items_distinct_id ON items (distinct_id);
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
}

/** One row of `profiles`. */
export interface ProfileRow {
  kind: 'user' | 'group'
  group_key: string
  id: string
  properties: string
  updated_at: number
}

/** The stored form of an item just inserted. */
export function toStored(id: number, at: number, item: NewItem, valid: boolean): StoredItem {
  const stored: StoredItem = {
    id,
    receivedAt: at,
    source: item.source,
    endpoint: item.endpoint,
    kind: item.kind,
    name: item.name,
    distinctId: item.distinctId,
    groupKey: item.groupKey,
    insertId: item.insertId,
    time: item.time,
    valid,
    issues: item.issues,
    payload: item.payload,
  }
  if (item.decoded !== undefined) stored.decoded = item.decoded
  return stored
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
    issues: JSON.parse(row.issues),
    payload: JSON.parse(row.payload),
  }
  if (row.decoded !== null) item.decoded = JSON.parse(row.decoded)
  return item
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
