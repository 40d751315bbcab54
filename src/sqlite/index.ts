/**
 * `eventwire/sqlite`: a durable {@link SqliteEventStore} for the BatchConsumer. Uses the runtime's
 * built-in `node:sqlite` (Node.js 22.13 and later, Bun, Deno), or, on Node.js 20, the optional peer
 * dependency `better-sqlite3`.
 */
export type { SqliteDriverName } from '../internal/index.js'
export {
  SQLITE_STORE_DEFAULTS,
  type SqliteDurability,
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from '../stores/index.js'
