import type { CollectorStorage } from './storage.js'

/**
 * Opens the storage for `db`: `':memory:'` keeps everything in this process and needs no
 * dependency; a file path uses SQLite: the runtime's `node:sqlite` (Node.js 22.13 and later, Bun,
 * Deno), else better-sqlite3, loaded only then.
 *
 * @throws {EventwireError} `EVENTWIRE_COLLECTOR_DEPENDENCY_MISSING` when the runtime has no
 * `node:sqlite` and better-sqlite3 is missing or not built, `EVENTWIRE_COLLECTOR_DATABASE_ERROR` when the file cannot be used.
 */
export async function openStorage(db: string): Promise<CollectorStorage> {
  if (db === ':memory:') {
    const { MemoryStorage } = await import('./memory-storage.js')
    return new MemoryStorage()
  }
  const { SqliteStorage } = await import('./sqlite-storage.js')
  return SqliteStorage.open(db)
}
