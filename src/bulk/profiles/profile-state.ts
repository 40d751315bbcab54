import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { MissingDependencyError, StoreError } from '../../errors/index.js'
import {
  firstColumn,
  openSqlite,
  type SqliteDatabase,
  type SqliteStatement,
  SqliteUnavailableError,
  sqliteUnavailableMessage,
} from '../../internal/index.js'
import type { JsonObject } from '../../message/index.js'

type Database = SqliteDatabase
type Statement = SqliteStatement

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
  scope TEXT NOT NULL,
  id TEXT NOT NULL,
  props TEXT NOT NULL,
  synced_at INTEGER NOT NULL,
  PRIMARY KEY (scope, id)
) WITHOUT ROWID;
`
const SCHEMA_VERSION = '1'

/**
 * The last state of every profile that `syncProfiles` got acknowledged, in a SQLite file (one
 * row per profile and scope; a scope is one project and host). Rows seen in the current run are
 * tracked in a temporary table, so `--delete-missing` and duplicate detection need no memory per
 * profile. Uses the runtime's `node:sqlite`, or the optional peer dependency better-sqlite3 on
 * Node.js 20.
 */
export class ProfileState {
  readonly path: string
  readonly #db: Database
  readonly #scope: string
  readonly #get: Statement
  readonly #put: Statement
  readonly #delete: Statement
  readonly #seen: Statement
  readonly #missing: Statement
  readonly #count: Statement

  private constructor(db: Database, path: string, scope: string) {
    this.path = path
    this.#db = db
    this.#scope = scope
    this.#get = db.prepare('SELECT props FROM profiles WHERE scope = ? AND id = ?')
    this.#put = db.prepare(
      'INSERT INTO profiles (scope, id, props, synced_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, id) DO UPDATE SET props = excluded.props, synced_at = excluded.synced_at',
    )
    this.#delete = db.prepare('DELETE FROM profiles WHERE scope = ? AND id = ?')
    this.#seen = db.prepare('INSERT OR IGNORE INTO temp.seen (id) VALUES (?)')
    this.#missing = db.prepare(
      'SELECT id FROM profiles WHERE scope = ? AND id > ? AND id NOT IN (SELECT id FROM temp.seen) ORDER BY id LIMIT ?',
    )
    this.#count = db.prepare('SELECT count(*) AS n FROM profiles WHERE scope = ?')
  }

  /**
   * Opens (creating when missing) the state file at `path` for `scope`.
   * @throws `EVENTWIRE_STORE_DEPENDENCY_MISSING` without `node:sqlite` and better-sqlite3; `EVENTWIRE_STORE_INCOMPATIBLE`
   *   for a file another version wrote; `EVENTWIRE_STORE_ERROR` when it cannot be opened.
   */
  static async open(path: string, scope: string): Promise<ProfileState> {
    let db: Database | undefined
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
      db = await openSqlite(path, { busyTimeoutMs: 5000 })
      db.pragma('journal_mode = WAL')
      db.exec(SCHEMA)
      db.exec('CREATE TEMP TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID')
    } catch (error) {
      db?.close()
      if (error instanceof SqliteUnavailableError) {
        throw new MissingDependencyError(
          'EVENTWIRE_STORE_DEPENDENCY_MISSING',
          sqliteUnavailableMessage(error, 'The people sync state file'),
          { cause: error },
        )
      }
      throw new StoreError(
        'EVENTWIRE_STORE_ERROR',
        `cannot open the state file ${path}: ${(error as Error).message}`,
        {
          cause: error,
          retryable: true,
        },
      )
    }
    const version = firstColumn<string>(db.prepare("SELECT value FROM meta WHERE key = 'schema'").get())
    if (version === undefined)
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION)
    else if (version !== SCHEMA_VERSION) {
      db.close()
      throw new StoreError(
        'EVENTWIRE_STORE_INCOMPATIBLE',
        `the state file ${path} has schema ${version}; this version of eventwire reads schema ${SCHEMA_VERSION}`,
      )
    }
    return new ProfileState(db, path, scope)
  }

  /** The last acknowledged properties of `id`, or undefined for a profile never synced. */
  get(id: string): JsonObject | undefined {
    const text = firstColumn<string>(this.#get.get(this.#scope, id))
    return text === undefined ? undefined : (JSON.parse(text) as JsonObject)
  }

  /** Records `id` as present in this run; false when it was already seen (a duplicate row). */
  markSeen(id: string): boolean {
    return Number(this.#seen.run(id).changes) === 1
  }

  /** Stores the acknowledged properties of `id`. */
  put(id: string, properties: JsonObject, now: number): void {
    this.#put.run(this.#scope, id, JSON.stringify(properties), now)
  }

  /** Forgets `id` (its profile was deleted). */
  remove(id: string): void {
    this.#delete.run(this.#scope, id)
  }

  /**
   * Up to `limit` profiles in the state but not seen in this run, in id order after `after`
   * (page by page, so no cursor stays open while acknowledgements write).
   */
  missing(after: string, limit: number): string[] {
    return this.#missing.all(this.#scope, after, limit).map((row) => firstColumn<string>(row)!)
  }

  /** Profiles in the state for this scope. */
  count(): number {
    return firstColumn<number>(this.#count.get(this.#scope)) ?? 0
  }

  /** Runs `fn` in one transaction (much faster for many writes). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)()
  }

  /** Closes the database file. */
  close(): void {
    if (this.#db.open) this.#db.close()
  }
}
