import type { Clock, LoggerOption, SqliteDriverName } from '../internal/index.js'
import { optionList } from '../internal/index.js'
import { STORE_CAPACITY_OPTIONS, type StoreCapacityOptions } from './event-store.js'

/** How hard `add()` works to make a message durable before resolving. */
export type SqliteDurability = 'batch' | 'every'

/** Options of {@link SqliteEventStore}. */
export interface SqliteEventStoreOptions extends StoreCapacityOptions {
  /** Path of the database file; created with its tables when missing. */
  path: string
  /**
   * Which resolved `track()` calls survive what. `add()` calls of one event-loop turn are always
   * committed together (group commit, WAL mode), and each resolves only after that commit.
   *
   * `'batch'`: commits are not fsync'd. Every resolved `track()` survives a crash, SIGKILL or OOM
   * kill of the process. After a power loss or OS crash, those resolved since the last WAL
   * checkpoint (at most ~4 MB of writes) can be lost; the file itself stays intact.
   *
   * `'every'`: each commit that stores messages is fsync'd before its calls resolve, so every
   * resolved `track()` also survives a power loss. Costs one fsync per event-loop turn with adds.
   *
   * In both modes acknowledgements are not fsync'd: a power loss can undo one, and that message
   * is delivered again (at-least-once; receivers deduplicate by `$insert_id`).
   * @default 'batch'
   */
  durability?: SqliteDurability
  /**
   * How long to wait for another process that holds the file to let go, in milliseconds, before
   * failing with `EVENTWIRE_STORE_LOCKED`.
   * @default 2000
   */
  lockTimeoutMs?: number
  /**
   * The SQLite engine: `'node:sqlite'`, built into Node.js 22.13 and later (and into Bun and Deno),
   * needs no package; `'better-sqlite3'` is the optional peer dependency, for Node.js 20. Both
   * read and write the same file format.
   * @default 'node:sqlite' where the runtime has it, else 'better-sqlite3'
   */
  driver?: SqliteDriverName
  /** Time source for leases and backoff. @default systemClock */
  clock?: Clock
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** Defaults of {@link SqliteEventStoreOptions}. */
export const SQLITE_STORE_DEFAULTS = {
  durability: 'batch' as SqliteDurability,
  lockTimeoutMs: 2000,
}

/** The names of {@link SqliteEventStoreOptions}. */
export const SQLITE_STORE_OPTIONS = optionList<SqliteEventStoreOptions>()({
  ...STORE_CAPACITY_OPTIONS,
  path: true,
  durability: true,
  driver: true,
  lockTimeoutMs: true,
  clock: true,
  logger: true,
})
