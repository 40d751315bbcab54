import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { CollectorError, EventwireError, MissingDependencyError } from '../errors/index.js'
import {
  firstColumn,
  openSqlite,
  runtimeName,
  type SqliteDatabase,
  type SqliteStatement,
  SqliteUnavailableError,
  sqliteUnavailableMessage,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { type ItemQuery, matchesDetails, needsDetails } from './item-query.js'
import { applyUpdate } from './profiles.js'
import {
  fromRow,
  type ItemRow,
  MIGRATE_FROM_1,
  type ProfileRow,
  profileFromRow,
  type RequestRow,
  requestFromRow,
  SCHEMA,
  SCHEMA_VERSION,
} from './sqlite-rows.js'
import {
  type CollectorStorage,
  countItem,
  emptyStats,
  type IngestResult,
  type ItemFilter,
  type NewRequest,
  type ProfileChange,
  type TimelineBucket,
  toStored,
} from './storage.js'
import type { CollectorStats, NewItem, StoredItem, StoredProfile, StoredRequest } from './types.js'

type Statement = SqliteStatement

/**
 * The collector's SQLite storage (WAL), through the runtime's `node:sqlite` (Node.js 22.13 and
 * later, Bun, Deno) or better-sqlite3 (Node.js 20): items, requests, materialised profiles,
 * distinct insert ids and counters. Every ingestion request is one transaction; statements are
 * prepared once; counters are kept in memory after start. Filters that look inside items (issue
 * code, property, text) run as a SQL function over the same matcher the memory storage uses.
 */
export class SqliteStorage implements CollectorStorage {
  readonly location: string
  readonly #db: SqliteDatabase
  readonly #insertItem: Statement
  readonly #insertRequest: Statement
  readonly #insertId: Statement
  readonly #getProfile: Statement
  readonly #putProfile: Statement
  readonly #deleteProfile: Statement
  readonly #queries = new Map<string, Statement>()
  readonly #ingest: (items: NewItem[], request: NewRequest, at: number) => IngestResult
  #stats: CollectorStats

  private constructor(db: SqliteDatabase, location: string) {
    this.#db = db
    this.location = location
    this.#insertItem = db.prepare(
      `INSERT INTO items (received_at, source, endpoint, kind, name, distinct_id, group_key, insert_id, time, valid, issues, payload, decoded, accepted, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertRequest = db.prepare(
      `INSERT INTO requests (received_at, method, url, headers, body, body_bytes, body_truncated, response, items)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.#insertId = db.prepare('INSERT OR IGNORE INTO insert_ids (id) VALUES (?)')
    this.#getProfile = db.prepare('SELECT * FROM profiles WHERE kind = ? AND group_key = ? AND id = ?')
    this.#putProfile = db.prepare(
      'INSERT OR REPLACE INTO profiles (kind, group_key, id, properties, updated_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.#deleteProfile = db.prepare('DELETE FROM profiles WHERE kind = ? AND group_key = ? AND id = ?')
    this.#ingest = db.transaction((items: NewItem[], request: NewRequest, at: number) =>
      this.#ingestInTransaction(items, request, at),
    )
    const matchers = new Map<string, ItemFilter>()
    db.function('ew_details', (filterJson, row) => {
      let filter = matchers.get(filterJson as string)
      if (filter === undefined) {
        filter = JSON.parse(filterJson as string) as ItemFilter
        if (matchers.size > 32) matchers.clear()
        matchers.set(filterJson as string, filter)
      }
      return matchesDetails(fromRow(JSON.parse(row as string) as ItemRow), filter) ? 1 : 0
    })
    this.#stats = this.#loadStats()
  }

  /**
   * Opens (creating the folder and file if needed) the database at `path`.
   *
   * @throws {EventwireError} `EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING` when the runtime has no
   * `node:sqlite` and better-sqlite3 is not installed or its native module is not built for this
   * Node.js; `EVENTWIRE_COLLECTOR_DATABASE_ERROR` when the file cannot be used.
   */
  static async open(path: string): Promise<SqliteStorage> {
    let db: SqliteDatabase | undefined
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      db = await openSqlite(path)
      db.pragma('journal_mode = WAL')
      // Bursts of thousands of events per request: checkpoint (and fsync) every 64 MiB of WAL
      // rather than every 4 MiB, and keep the hot pages cached.
      db.pragma('wal_autocheckpoint = 16384')
      db.pragma('journal_size_limit = 67108864')
      db.pragma('synchronous = NORMAL')
      db.pragma('cache_size = -65536')
      const version = Number(db.pragma('user_version'))
      if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this eventwire`)
      if (version === 1) db.exec(MIGRATE_FROM_1)
      db.exec(SCHEMA)
      db.pragma(`user_version = ${SCHEMA_VERSION}`)
      return new SqliteStorage(db, path)
    } catch (cause) {
      db?.close()
      if (cause instanceof SqliteUnavailableError) {
        throw new MissingDependencyError(
          'EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING',
          unavailableMessage(cause),
          {
            cause,
          },
        )
      }
      if (cause instanceof EventwireError) throw cause
      throw new CollectorError(
        'EVENTWIRE_COLLECTOR_DATABASE_ERROR',
        `Cannot use ${JSON.stringify(path)} as the collector database: ${(cause as Error).message}`,
        { cause },
      )
    }
  }

  ingest(items: NewItem[], request: NewRequest, at: number): IngestResult {
    return this.#ingest(items, request, at)
  }

  recordRequest(request: NewRequest, at: number): number {
    const id = this.#addRequest(request, at, 0)
    this.#stats.requests++
    return id
  }

  #addRequest(request: NewRequest, at: number, items: number): number {
    this.#query("UPDATE counters SET value = value + 1 WHERE name = 'requests'").run()
    const result = this.#insertRequest.run(
      at,
      request.method,
      request.url,
      JSON.stringify(request.headers),
      request.body,
      request.bodyBytes,
      request.bodyTruncated ? 1 : 0,
      JSON.stringify(request.response),
      items,
    )
    return Number(result.lastInsertRowid)
  }

  #ingestInTransaction(items: NewItem[], request: NewRequest, at: number): IngestResult {
    const requestId = this.#addRequest(request, at, items.length)
    const stats = { ...this.#stats, requests: this.#stats.requests + 1 }
    const stored: StoredItem[] = []
    const changes = new Map<string, ProfileChange>()
    for (const item of items) {
      const valid = item.issues.length === 0
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
        valid ? '[]' : JSON.stringify(item.issues),
        item.json ?? JSON.stringify(item.payload),
        item.decoded === undefined ? null : JSON.stringify(item.decoded),
        item.accepted ? 1 : 0,
        requestId,
      )
      stored.push(toStored(Number(result.lastInsertRowid), at, item, valid, requestId))
      countItem(stats, item, valid)
      if (item.kind === 'event') {
        if (item.insertId !== null && Number(this.#insertId.run(item.insertId).changes) === 1) {
          stats.uniqueInsertIds++
        }
      } else if (item.accepted && item.distinctId !== null) {
        const change = this.#applyProfile(item, at, stats)
        changes.set(`${change.kind}\u0000${change.groupKey}\u0000${change.id}`, change)
      }
    }
    this.#stats = stats
    return { items: stored, profiles: [...changes.values()], requestId }
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

  listItems(query: ItemQuery): StoredItem[] {
    const { where, params } = whereOf(query, query.after, query.before)
    const order = query.after !== undefined || query.order === 'asc' ? 'ASC' : 'DESC'
    const sql = `SELECT * FROM items${where} ORDER BY id ${order} LIMIT ?`
    return (this.#query(sql).all(...params, query.limit) as ItemRow[]).map(fromRow)
  }

  countItems(filter: ItemFilter): number {
    const { where, params } = whereOf(filter, undefined, undefined)
    return firstColumn<number>(this.#query(`SELECT COUNT(*) FROM items${where}`).get(...params)) ?? 0
  }

  eachItem(filter: ItemFilter, visit: (item: StoredItem) => boolean | undefined): void {
    // Read in pages, so no statement stays open while `visit` runs.
    let after = 0
    for (;;) {
      const page = this.listItems({ ...filter, after, limit: 1000, order: 'asc' })
      for (const item of page) if (visit(item) === false) return
      if (page.length < 1000) return
      after = page[page.length - 1]!.id
    }
  }

  getItem(id: number): StoredItem | undefined {
    const row = this.#query('SELECT * FROM items WHERE id = ?').get(id) as ItemRow | undefined
    return row === undefined ? undefined : fromRow(row)
  }

  getRequest(id: number): StoredRequest | undefined {
    const row = this.#query('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined
    return row === undefined ? undefined : requestFromRow(row)
  }

  listRequests(limit: number): StoredRequest[] {
    const rows = this.#query('SELECT * FROM requests ORDER BY id DESC LIMIT ?').all(limit) as RequestRow[]
    return rows.map(requestFromRow)
  }

  getProfile(kind: 'user' | 'group', groupKey: string | null, id: string): StoredProfile | undefined {
    const row = this.#getProfile.get(kind, groupKey ?? '', id) as ProfileRow | undefined
    return row === undefined ? undefined : profileFromRow(row)
  }

  listProfiles(kind: 'user' | 'group', limit: number): StoredProfile[] {
    const rows = this.#query('SELECT * FROM profiles WHERE kind = ? ORDER BY updated_at DESC LIMIT ?').all(
      kind,
      limit,
    ) as ProfileRow[]
    return rows.map(profileFromRow)
  }

  timeline(since: number, bucketMs: number): TimelineBucket[] {
    const rows = this.#query(
      `SELECT (received_at / ?) * ? AS t, SUM(valid) AS good, SUM(1 - valid) AS bad FROM items
       WHERE received_at >= ? AND kind = 'event' GROUP BY 1 ORDER BY 1`,
    ).all(bucketMs, bucketMs, since) as TimelineBucket[]
    return rows.map(({ t, good, bad }) => ({ t, good, bad }))
  }

  stats(): CollectorStats {
    return { ...this.#stats }
  }

  reset(): void {
    this.#db.exec(
      "DELETE FROM items; DELETE FROM requests; DELETE FROM insert_ids; DELETE FROM profiles; UPDATE counters SET value = 0; DELETE FROM sqlite_sequence WHERE name IN ('items', 'requests');",
    )
    this.#stats = this.#loadStats()
  }

  close(): void {
    if (this.#db.open) this.#db.close()
  }

  #query(sql: string): Statement {
    let statement = this.#queries.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#queries.set(sql, statement)
    }
    return statement
  }

  #loadStats(): CollectorStats {
    const stats = emptyStats()
    const groups = this.#db
      .prepare("SELECT kind = 'event' AS event, valid, accepted, COUNT(*) AS n FROM items GROUP BY 1, 2, 3")
      .all() as Array<{ event: number; valid: number; accepted: number; n: number }>
    for (const { event, valid, accepted, n } of groups) {
      if (accepted === 0) stats.refused += n
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
    stats.requests =
      firstColumn<number>(this.#db.prepare("SELECT value FROM counters WHERE name = 'requests'").get()) ?? 0
    stats.uniqueInsertIds =
      firstColumn<number>(this.#db.prepare('SELECT COUNT(*) FROM insert_ids').get()) ?? 0
    return stats
  }
}

const COLUMNS: ReadonlyArray<[keyof ItemFilter, string]> = [
  ['name', 'name'],
  ['distinctId', 'distinct_id'],
  ['groupKey', 'group_key'],
  ['kind', 'kind'],
  ['source', 'source'],
]

/** The WHERE clause of a query: indexed columns in SQL, the rest through `ew_details`. */
function whereOf(
  filter: ItemFilter,
  after: number | undefined,
  before: number | undefined,
): { where: string; params: unknown[] } {
  const conditions: string[] = []
  const params: unknown[] = []
  for (const [key, column] of COLUMNS) {
    if (filter[key] === undefined) continue
    conditions.push(`${column} = ?`)
    params.push(filter[key])
  }
  if (filter.valid !== undefined) conditions.push(`valid = ${filter.valid ? 1 : 0}`)
  if (filter.verdict === 'good') conditions.push('valid = 1')
  else if (filter.verdict === 'refused') conditions.push('accepted = 0')
  else if (filter.verdict === 'violation') conditions.push('valid = 0 AND accepted = 1')
  if (after !== undefined) {
    conditions.push('id > ?')
    params.push(after)
  }
  if (before !== undefined) {
    conditions.push('id < ?')
    params.push(before)
  }
  if (needsDetails(filter)) {
    const details = { issue: filter.issue, property: filter.property, text: filter.text }
    conditions.push(
      `ew_details(?, json_object('id', id, 'received_at', received_at, 'source', source, 'endpoint', endpoint, 'kind', kind, 'name', name, 'distinct_id', distinct_id, 'group_key', group_key, 'insert_id', insert_id, 'time', time, 'valid', valid, 'issues', issues, 'payload', payload, 'decoded', decoded, 'accepted', accepted, 'request_id', request_id)) = 1`,
    )
    params.push(JSON.stringify(details))
  }
  return { where: conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '', params }
}

/** What to do when no SQLite engine loads: install (or rebuild) better-sqlite3, or keep data in memory. */
function unavailableMessage(error: SqliteUnavailableError): string {
  const memory = 'start with --memory (db: ":memory:") to keep data in memory'
  if (!runtimeName().startsWith('Node.js')) return sqliteUnavailableMessage(error, 'The collector', memory)
  if (error.reason === 'missing') {
    return `The collector keeps its data in a SQLite file through the package better-sqlite3 on ${runtimeName()}, which has no built-in node:sqlite, and it is not installed: run \`npm install --save-dev better-sqlite3\` (or use Node.js 22.13 or later, which needs no package), or ${memory}.`
  }
  return `The collector keeps its data in a SQLite file through the package better-sqlite3, whose native module is not built for this Node.js ${process.version}: run \`npm rebuild better-sqlite3\` (or \`npm install --save-dev better-sqlite3\` again with install scripts allowed), or ${memory}.`
}
