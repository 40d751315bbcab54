import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { SqliteEventStore } from '../../src/sqlite/index.js'

const run = promisify(execFile)
const CHILD = fileURLToPath(new URL('./fixtures/sqlite-driver-child.ts', import.meta.url))
const HIDE = fileURLToPath(new URL('../collector/fixtures/hide-sqlite.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-drivers-'))
after(() => rmSync(dir, { recursive: true, force: true }))

// node:sqlite runs unflagged, with iterate() and function(), from Node.js 22.13 (and in 23.4+).
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number]
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13)

/** Runs the child with better-sqlite3 made absent; returns what it printed and its stderr. */
async function withoutBetterSqlite(path: string, driver?: string) {
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', '--import', HIDE, CHILD, path, ...(driver === undefined ? [] : [driver])],
    { env: { ...process.env, EW_SQLITE: 'missing' } },
  )
  return { result: JSON.parse(stdout.trim()) as Record<string, unknown>, stderr }
}

test(`the default driver on Node.js ${process.version} is ${hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3'}`, () => {
  const store = new SqliteEventStore({ path: join(dir, 'default.db') })
  assert.equal(store.driver, hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3')
  assert.throws(() => new SqliteEventStore({ path: 'x.db', driver: 'sqlite3' as never }), {
    code: 'EVENTWIRE_INVALID_OPTION',
    option: 'driver',
  })
})

if (hasNodeSqlite) {
  test('with node:sqlite the store needs no package, and Node.js prints no ExperimentalWarning for it', async () => {
    const { result, stderr } = await withoutBetterSqlite(join(dir, 'builtin.db'))
    assert.deepEqual(result, { driver: 'node:sqlite', count: 2 })
    assert.doesNotMatch(stderr, /ExperimentalWarning|SQLite is an experimental feature/)
  })

  test('without better-sqlite3, asking for it says which package to install', async () => {
    const { result } = await withoutBetterSqlite(join(dir, 'asked.db'), 'better-sqlite3')
    assert.equal(result.code, 'EVENTWIRE_STORE_DEPENDENCY_MISSING')
    assert.match(
      String(result.message),
      /^SqliteEventStore was asked to use the optional package "better-sqlite3", which is not installed: run `npm install better-sqlite3`, or leave the driver out to use the built-in node:sqlite/,
    )
  })
} else {
  test('on Node.js 20 a missing better-sqlite3 is named, with the Node.js that needs no package', async () => {
    const { result } = await withoutBetterSqlite(join(dir, 'missing.db'))
    assert.equal(result.code, 'EVENTWIRE_STORE_DEPENDENCY_MISSING')
    assert.match(
      String(result.message),
      /^SqliteEventStore needs the optional package "better-sqlite3" on Node\.js v20\.[\d.]+, which has no built-in node:sqlite, and it is not installed: run `npm install better-sqlite3` \(or use Node\.js 22\.13 or later, which needs no package\), or use the in-memory store/,
    )
  })

  test('on Node.js 20 the driver node:sqlite is refused, naming the one to use', async () => {
    await assert.rejects(SqliteEventStore.open({ path: join(dir, 'asked.db'), driver: 'node:sqlite' }), {
      code: 'EVENTWIRE_STORE_DEPENDENCY_MISSING',
      message:
        /asked to use node:sqlite, which Node\.js v20\.[\d.]+ does not have .*use the driver "better-sqlite3"/,
    })
  })
}
