import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { defaultSqliteDriver, openSqlite } from './sqlite-driver.js'
import { firstColumn, type SqliteDriverName, sqliteErrorCode } from './sqlite-types.js'

const dir = mkdtempSync(join(tmpdir(), 'eventwire-sqlite-driver-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** The default driver, and better-sqlite3 beside node:sqlite where its native module loads. */
async function drivers(): Promise<SqliteDriverName[]> {
  const found: SqliteDriverName[] = [defaultSqliteDriver()]
  if (found[0] === 'node:sqlite') {
    const better = await openSqlite(':memory:', { driver: 'better-sqlite3' }).catch(() => undefined)
    if (better !== undefined) {
      better.close()
      found.push('better-sqlite3')
    }
  }
  return found
}

for (const driver of await drivers()) {
  describe(`SQLite driver ${driver}`, () => {
    test('statements bind positional and named parameters and read rows back', async () => {
      const db = await openSqlite(':memory:', { driver })
      assert.equal(db.driver, driver)
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)')
      const insert = db.prepare<[string, number]>('INSERT INTO t (name, n) VALUES (?, ?)')
      assert.equal(Number(insert.run('a', 1).lastInsertRowid), 1)
      assert.equal(Number(insert.run('b', 2).changes), 1)
      const byName = db.prepare<[{ name: string }], { id: number; n: number }>(
        'SELECT id, n FROM t WHERE name = @name',
      )
      assert.deepEqual({ ...byName.get({ name: 'b' }) }, { id: 2, n: 2 })
      assert.equal(byName.get({ name: 'z' }), undefined)
      const all = db.prepare<[], { name: string }>('SELECT name FROM t ORDER BY id')
      assert.deepEqual(
        all.all().map((row) => row.name),
        ['a', 'b'],
      )
      for (const row of all.iterate()) {
        assert.equal(row.name, 'a')
        break
      }
      // Breaking out of iterate() frees the statement for the next use.
      assert.equal(all.all().length, 2)
      assert.equal(firstColumn(db.prepare('SELECT count(*) FROM t').get()), 2)
      db.close()
      assert.equal(db.open, false)
      db.close()
    })

    test('transactions commit, roll back when the function throws, and nest as savepoints', async () => {
      const db = await openSqlite(join(dir, `${driver.replace(':', '-')}-tx.db`), { driver })
      db.exec('CREATE TABLE t (v TEXT)')
      const add = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)')
      const values = () =>
        db
          .prepare<[], { v: string }>('SELECT v FROM t ORDER BY rowid')
          .all()
          .map((r) => r.v)
      assert.equal(
        db.transaction((v: string) => {
          add.run(v)
          return 'done'
        })('kept'),
        'done',
      )
      assert.throws(
        () =>
          db.transaction(() => {
            add.run('undone')
            throw new Error('boom')
          })(),
        /boom/,
      )
      const inner = db.transaction(() => {
        add.run('inner')
        throw new Error('inner fails')
      })
      db.transaction(() => {
        add.run('outer')
        assert.throws(() => inner(), /inner fails/)
      })()
      assert.deepEqual(values(), ['kept', 'outer'])
      // After a rollback the connection is usable outside any transaction.
      add.run('after')
      assert.deepEqual(values(), ['kept', 'outer', 'after'])
      db.close()
    })

    test('pragma answers its first column; SQL functions; engine errors carry SQLite codes', async () => {
      const path = join(dir, `${driver.replace(':', '-')}-lock.db`)
      const db = await openSqlite(path, { driver })
      assert.equal(db.pragma('journal_mode = WAL'), 'wal')
      assert.equal(db.pragma('journal_mode'), 'wal')
      assert.equal(db.pragma('user_version'), 0)
      db.function('twice', (value) => Number(value) * 2)
      assert.equal(firstColumn(db.prepare('SELECT twice(21) AS v').get()), 42)
      db.pragma('locking_mode = EXCLUSIVE')
      db.exec('CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)')
      const other = await openSqlite(path, { driver, busyTimeoutMs: 0 })
      const error = (() => {
        try {
          other.prepare('SELECT * FROM t').all()
        } catch (e) {
          return e
        }
      })()
      assert.equal(sqliteErrorCode(error), 'SQLITE_BUSY')
      assert.equal(sqliteErrorCode(new Error('not SQLite')), undefined)
      other.close()
      db.close()
    })
  })
}
