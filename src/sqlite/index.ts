/**
 * `eventwire/sqlite`: a durable {@link SqliteEventStore} for the BatchConsumer. Needs the optional
 * peer dependency `better-sqlite3`.
 */
export {
  SQLITE_STORE_DEFAULTS,
  type SqliteDurability,
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from '../stores/index.js'
