import { defaultSqliteDriver, openSqlite, type SqliteDriverName } from '../../src/internal/index.js'

/**
 * The SQLite drivers this runtime has. The default one always (node:sqlite on Node.js ≥ 22.13,
 * better-sqlite3 on Node.js 20, where failing to load it fails the tests); better-sqlite3 also
 * beside node:sqlite when its native module was built for this Node.js.
 */
export async function sqliteDrivers(): Promise<SqliteDriverName[]> {
  const found: SqliteDriverName[] = [defaultSqliteDriver()]
  if (found[0] === 'node:sqlite') {
    const loads = await openSqlite(':memory:', { driver: 'better-sqlite3' }).then(
      (db) => {
        db.close()
        return true
      },
      () => false,
    )
    if (loads) found.push('better-sqlite3')
  }
  return found
}
