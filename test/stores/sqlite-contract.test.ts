import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'
import { SqliteEventStore } from '../../src/sqlite/index.js'
import { runStoreContract } from '../../src/testing/store-contract.js'
import { sqliteDrivers } from './sqlite-driver-list.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-contract-'))
after(() => rmSync(dir, { recursive: true, force: true }))

for (const driver of await sqliteDrivers()) {
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
