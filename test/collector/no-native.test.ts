import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { cpSync, mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { getJson, postJson, tempDir, trackEvent, waitFor } from './helpers.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/dev-cli.ts', import.meta.url))
const HIDE = fileURLToPath(new URL('./fixtures/hide-sqlite.mjs', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function dev(args: string[], sqlite: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', HIDE, FIXTURE, 'dev', ...args], {
    cwd: ROOT,
    env: { ...process.env, EW_SQLITE: sqlite },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  return { child, out: () => out, err: () => err }
}

test('eventwire dev --memory runs without better-sqlite3', async () => {
  const cli = dev(['--memory', '--port', '0'], 'missing')
  await waitFor(() => /listening on http/.test(cli.out()), 30_000, 'the collector')
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())![1]!
  assert.match(cli.out(), /Storage +in memory \(--memory\)/)
  const res = await postJson(`${url}/track`, [trackEvent('no-native', 'u-1')])
  assert.equal(res.body, '1')
  cli.child.kill('SIGTERM')
  const [code] = await once(cli.child, 'exit')
  assert.equal(code, 0, cli.err())
  assert.match(cli.out(), /1 events \(1 good, 0 bad\)/)
})

// node:sqlite runs unflagged, with iterate() and function(), from Node.js 22.13 (and in 23.4+).
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number]
const hasNodeSqlite = major > 22 || (major === 22 && minor >= 13)

if (hasNodeSqlite) {
  test('with node:sqlite a file store needs no better-sqlite3, and no ExperimentalWarning is printed', async () => {
    const db = join(tempDir(), 'dev.db')
    const cli = dev(['--db', db, '--port', '0'], 'missing')
    await waitFor(() => /listening on http/.test(cli.out()), 30_000, 'the collector')
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())![1]!
    const res = await postJson(`${url}/track`, [trackEvent('builtin', 'u-1'), trackEvent('builtin', 'u-2')])
    assert.equal(res.body, '1')
    cli.child.kill('SIGTERM')
    const [code] = await once(cli.child, 'exit')
    assert.equal(code, 0, cli.err())
    assert.match(cli.out(), /2 events \(2 good, 0 bad\)/)
    assert.doesNotMatch(cli.err(), /ExperimentalWarning|SQLite is an experimental feature/)

    // The events are in the file: a second run reads them back.
    const again = dev(['--db', db, '--port', '0'], 'missing')
    await waitFor(() => /listening on http/.test(again.out()), 30_000, 'the collector')
    const second = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(again.out())![1]!
    const listed = await getJson<{ events: Array<{ name: string }> }>(`${second}/_/events?limit=10`)
    again.child.kill('SIGTERM')
    await once(again.child, 'exit')
    assert.deepEqual(
      listed.events.map((item) => item.name),
      ['builtin', 'builtin'],
    )
  })
} else {
  test('a file store without better-sqlite3 says which package to install and how, in one sentence', async () => {
    const db = join(tempDir(), 'dev.db')
    const missing = dev(['--db', db, '--port', '0'], 'missing')
    const [missingCode] = await once(missing.child, 'exit')
    assert.equal(missingCode, 1)
    assert.equal(
      missing.err(),
      `error: The collector keeps its data in a SQLite file through the package better-sqlite3 on Node.js ${process.version}, which has no built-in node:sqlite, and it is not installed: run \`npm install --save-dev better-sqlite3\` (or use Node.js 22.13 or later, which needs no package), or start with --memory (db: ":memory:") to keep data in memory.\n`,
    )

    // installed but not built: a copy of the package without its compiled module
    const copy = join(tempDir(), 'node_modules')
    mkdirSync(copy, { recursive: true })
    cpSync(join(ROOT, 'node_modules', 'better-sqlite3'), join(copy, 'better-sqlite3'), {
      recursive: true,
      filter: (source) => !source.includes(`${join('better-sqlite3', 'build')}`),
    })
    symlinkSync(join(ROOT, 'node_modules', 'bindings'), join(copy, 'bindings'))
    symlinkSync(join(ROOT, 'node_modules', 'file-uri-to-path'), join(copy, 'file-uri-to-path'))
    const unbuilt = dev(['--db', db, '--port', '0'], join(copy, 'better-sqlite3'))
    const [unbuiltCode] = await once(unbuilt.child, 'exit')
    assert.equal(unbuiltCode, 1)
    assert.match(
      unbuilt.err(),
      /^error: The collector keeps its data in a SQLite file through the package better-sqlite3, whose native module is not built for this Node\.js v[\d.]+: run `npm rebuild better-sqlite3` \(or `npm install --save-dev better-sqlite3` again with install scripts allowed\), or start with --memory \(db: ":memory:"\) to keep data in memory\.\n$/,
    )
  })
}
