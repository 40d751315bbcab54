import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { defaultSqliteDriver, openSqlite, type SqliteDriverName } from '../../src/internal/index.js'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { runStoreContract } from '../../src/testing/store-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-contract-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/**
 * The drivers this runtime has. The default one always (node:sqlite on Node.js ≥ 22.13,
 * better-sqlite3 on Node.js 20, where failing to load it fails the contract); better-sqlite3 also
 * beside node:sqlite when its native module was built for this Node.js.
 */
async function drivers(): Promise<SqliteDriverName[]> {
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

for (const driver of await drivers()) {
  for (const durability of ['batch', 'every'] as const) {
    const open = ({
      clock,
      capacity,
      key,
    }: Parameters<Parameters<typeof runStoreContract>[0]['create']>[0]) =>
      SqliteEventStore.open({
        path: join(dir, `${driver.replace(':', '-')}-${durability}-${key}.db`),
        driver,
        durability,
        clock,
        ...capacity,
      })
    runStoreContract({ name: `SqliteEventStore on ${driver} (${durability})`, create: open, reopen: open })
  }
}
