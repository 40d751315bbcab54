import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type Database from 'better-sqlite3'
import { EventwireError } from '../errors/index.js'
import type { JsonObject } from '../internal/index.js'
import { applyUpdate } from './profiles.js'
import {
  fromRow,
  type ItemRow,
  type ProfileRow,
  profileFromRow,
  SCHEMA,
  SCHEMA_VERSION,
  toStored,
} from './storage-rows.js'
import type { CollectorStats, ItemKind, NewItem, StoredItem, StoredProfile } from './types.js'

/** Filters of {@link CollectorStore.listItems}. */
export interface ItemQuery {
  valid?: boolean
  name?: string
  distinctId?: string
  kind?: ItemKind
  source?: string
  /** Only items with an id greater than this (returned oldest first). */
  after?: number
  /** Most items returned. */
  limit: number
  /** `desc` = newest first. */
  order: 'asc' | 'desc'
}

/** A profile touched by an ingested batch. */
export interface ProfileChange {
  kind: 'user' | 'group'
  groupKey: string | null
  id: string
  deleted: boolean
}

/**
 * The collector's SQLite storage (better-sqlite3, WAL): items (events and profile updates, good
 * and bad), materialised profiles, distinct insert ids and counters. Every ingestion request is
 * one transaction; statements are prepared once; counters are kept in memory after start.
 */
export class CollectorStore {
  readonly #db: Database.Database
  readonly #insertItem: Database.Statement
  readonly #insertId: Database.Statement
  readonly #getProfile: Database.Statement
  readonly #putProfile: Database.Statement
  readonly #deleteProfile: Database.Statement
  readonly #countRequest: Database.Statement
  readonly #queries = new Map<string, Database.Statement>()
  readonly #ingest: Database.Transaction<(items: NewItem[], at: number) => [StoredItem[], ProfileChange[]]>
  #stats: CollectorStats

  private constructor(db: Database.Database) {
    this.#db = db
    this.#insertItem = db.prepare(
      `INSERT INTO items (received_at, source, endpoint, kind, name, distinct_id, group_key, insert_id, time, valid, issues, payload, decoded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertId = db.prepare('INSERT OR IGNORE INTO insert_ids (id) VALUES (?)')
    this.#getProfile = db.prepare('SELECT * FROM profiles WHERE kind = ? AND group_key = ? AND id = ?')
    this.#putProfile = db.prepare(
      'INSERT OR REPLACE INTO profiles (kind, group_key, id, properties, updated_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.#deleteProfile = db.prepare('DELETE FROM profiles WHERE kind = ? AND group_key = ? AND id = ?')
    this.#countRequest = db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'requests'")
    this.#ingest = db.transaction((items: NewItem[], at: number) => this.#ingestInTransaction(items, at))
    this.#stats = this.#loadStats()
  }

  /**
   * Opens (creating the folder and file if needed) the database at `path`, or an in-memory one for
   * `:memory:`. Throws `EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING` without better-sqlite3 and
   * `EVENTWIRE_COLLECTOR_DATABASE_ERROR` when the file cannot be used.
   */
  static async open(path: string): Promise<CollectorStore> {
    let Sqlite: typeof Database
    try {
      Sqlite = (await import('better-sqlite3')).default
    } catch (cause) {
      const code = (cause as { code?: unknown }).code
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause
      throw new EventwireError(
        'EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING',
        'The collector stores data with better-sqlite3, which is not installed: npm install --save-dev better-sqlite3',
        { cause },
      )
    }
    let db: Database.Database | undefined
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      db = new Sqlite(path)
      if (path !== ':memory:') {
        db.pragma('journal_mode = WAL')
        // Bursts of thousands of events per request: checkpoint (and fsync) every 64 MiB of WAL
        // rather than every 4 MiB, and keep the hot pages cached.
        db.pragma('wal_autocheckpoint = 16384')
        db.pragma('journal_size_limit = 67108864')
      }
      db.pragma('synchronous = NORMAL')
      db.pragma('cache_size = -65536')
      const version = db.pragma('user_version', { simple: true }) as number
      if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this eventwire`)
      db.exec(SCHEMA)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return new CollectorStore(db)
    } catch (cause) {
      db?.close()
      throw new EventwireError(
        'EVENTWIRE_COLLECTOR_DATABASE_ERROR',
        `Cannot use ${JSON.stringify(path)} as the collector database: ${(cause as Error).message}`,
        { cause },
      )
    }
  }

  /**
   * Stores one request's items in one transaction: counts the request, inserts the items, records
   * their insert ids and applies accepted profile updates in order.
   */
  ingest(items: NewItem[], receivedAt: number): { items: StoredItem[]; profiles: ProfileChange[] } {
    const [stored, profiles] = this.#ingest(items, receivedAt)
    return { items: stored, profiles }
  }

  /** Counts a request that stored nothing (refused, malformed or fault-injected). */
  countRequest(): void {
    this.#countRequest.run()
    this.#stats.requests++
  }

  #ingestInTransaction(items: NewItem[], at: number): [StoredItem[], ProfileChange[]] {
    this.#countRequest.run()
    const stats = { ...this.#stats, requests: this.#stats.requests + 1 }
    const stored: StoredItem[] = []
    const changes = new Map<string, ProfileChange>()
    for (const item of items) {
      const valid = item.issues.length === 0
      const issues = valid ? '[]' : JSON.stringify(item.issues)
      const payload = item.json ?? JSON.stringify(item.payload)
      const decoded = item.decoded === undefined ? null : JSON.stringify(item.decoded)
      const result = this.#insertItem.run(
        at,
        item.source,
        item.endpoint,
        item.kind,
        item.name,
        item.distinctId,
        item.groupKey,
        item.insertId,
        item.time,
        valid ? 1 : 0,
        issues,
        payload,
        decoded,
      )
      stored.push(toStored(Number(result.lastInsertRowid), at, item, valid))
      if (item.kind === 'event') {
        stats.events++
        if (valid) stats.good++
        else stats.bad++
        if (item.insertId !== null && this.#insertId.run(item.insertId).changes === 1) stats.uniqueInsertIds++
      } else {
        stats.updates++
        if (!valid) stats.badUpdates++
        if (item.accepted && item.distinctId !== null) {
          const change = this.#applyProfile(item, at, stats)
          changes.set(`${change.kind}\u0000${change.groupKey}\u0000${change.id}`, change)
        }
      }
    }
    this.#stats = stats
    return [stored, [...changes.values()]]
  }

  #applyProfile(item: NewItem, at: number, stats: CollectorStats): ProfileChange {
    const kind = item.kind === 'user' ? 'user' : 'group'
    const groupKey = kind === 'group' ? (item.groupKey ?? '') : ''
    const id = item.distinctId!
    const row = this.#getProfile.get(kind, groupKey, id) as ProfileRow | undefined
    const before = row === undefined ? undefined : (JSON.parse(row.properties) as JsonObject)
    const after = applyUpdate(before, item.payload as JsonObject)
    const counter = kind === 'user' ? 'profiles' : 'groupProfiles'
    if (after === undefined) {
      if (row !== undefined) {
        this.#deleteProfile.run(kind, groupKey, id)
        stats[counter]--
      }
    } else {
      this.#putProfile.run(kind, groupKey, id, JSON.stringify(after), at)
      if (row === undefined) stats[counter]++
    }
    return { kind, groupKey: kind === 'group' ? groupKey : null, id, deleted: after === undefined }
  }

  /** Items matching `query`. */
  listItems(query: ItemQuery): StoredItem[] {
    const conditions: Array<[string, unknown]> = [
      ['valid = ?', query.valid === undefined ? undefined : query.valid ? 1 : 0],
      ['name = ?', query.name],
      ['distinct_id = ?', query.distinctId],
      ['kind = ?', query.kind],
      ['source = ?', query.source],
      ['id > ?', query.after],
    ]
    const where: string[] = []
    const params: unknown[] = []
    for (const [condition, value] of conditions) {
      if (value === undefined) continue
      where.push(condition)
      params.push(value)
    }
    const order = query.after !== undefined || query.order === 'asc' ? 'ASC' : 'DESC'
    const sql = `SELECT * FROM items${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`
    params.push(query.limit)
    return (this.#query(sql).all(...params) as ItemRow[]).map(fromRow)
  }

  /** One user (`groupKey` null) or group profile, or undefined when it does not exist. */
  getProfile(kind: 'user' | 'group', groupKey: string | null, id: string): StoredProfile | undefined {
    const row = this.#getProfile.get(kind, groupKey ?? '', id) as ProfileRow | undefined
    return row === undefined ? undefined : profileFromRow(row)
  }

  /** The most recently updated profiles of one kind. */
  listProfiles(kind: 'user' | 'group', limit: number): StoredProfile[] {
    const rows = this.#query('SELECT * FROM profiles WHERE kind = ? ORDER BY updated_at DESC LIMIT ?').all(
      kind,
      limit,
    ) as ProfileRow[]
    return rows.map(profileFromRow)
  }

  /** A snapshot of the counters. */
  stats(): CollectorStats {
    return { ...this.#stats }
  }

  /** Deletes every item, profile, insert id and counter. */
  reset(): void {
    this.#db.exec(
      "DELETE FROM items; DELETE FROM insert_ids; DELETE FROM profiles; UPDATE counters SET value = 0; DELETE FROM sqlite_sequence WHERE name = 'items';",
    )
    this.#stats = this.#loadStats()
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.#db.open) this.#db.close()
  }

  #query(sql: string): Database.Statement {
    let statement = this.#queries.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#queries.set(sql, statement)
    }
    return statement
  }

  #loadStats(): CollectorStats {
    const stats: CollectorStats = {
      events: 0,
      good: 0,
      bad: 0,
      updates: 0,
      badUpdates: 0,
      profiles: 0,
      groupProfiles: 0,
      requests: 0,
      uniqueInsertIds: 0,
    }
    const groups = this.#db
      .prepare("SELECT kind = 'event' AS event, valid, COUNT(*) AS n FROM items GROUP BY 1, 2")
      .all() as Array<{ event: number; valid: number; n: number }>
    for (const { event, valid, n } of groups) {
      if (event === 1) {
        stats.events += n
        if (valid === 1) stats.good += n
        else stats.bad += n
      } else {
        stats.updates += n
        if (valid === 0) stats.badUpdates += n
      }
    }
    const profiles = this.#db
      .prepare('SELECT kind, COUNT(*) AS n FROM profiles GROUP BY kind')
      .all() as Array<{
      kind: string
      n: number
    }>
    for (const { kind, n } of profiles) {
      if (kind === 'user') stats.profiles = n
      else stats.groupProfiles = n
    }
    stats.requests = this.#db
      .prepare("SELECT value FROM counters WHERE name = 'requests'")
      .pluck()
      .get() as number
    stats.uniqueInsertIds = this.#db.prepare('SELECT COUNT(*) FROM insert_ids').pluck().get() as number
    return stats
  }
}
