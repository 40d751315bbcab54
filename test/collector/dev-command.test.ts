import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { getJson, postJson, start, tempDir, trackEvent, waitFor } from './helpers.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/dev-cli.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function run(args: string[]): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'dev', ...args], { cwd: ROOT })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  return { child, out: () => out, err: () => err }
}

test('eventwire dev prints the UI URL, collects, and stops cleanly on SIGTERM', async () => {
  const db = join(tempDir(), 'cli', 'dev.db')
  const cli = run(['--port', '0', '--db', db])
  await waitFor(() => /listening on http:\/\/127\.0\.0\.1:\d+/.test(cli.out()), 20_000, 'the URL')
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.out())![1]!
  assert.match(cli.out(), new RegExp(`Web debugger +${url.replace(/[./]/g, '\\$&')}/`))
  const res = await postJson(`${url}/track`, [trackEvent('from-cli', 'u-1')])
  assert.equal(res.body, '1')
  assert.equal((await getJson<{ events: number }>(`${url}/_/stats`)).events, 1)

  cli.child.kill('SIGTERM')
  const [code] = await once(cli.child, 'exit')
  assert.equal(code, 0, cli.err())
  assert.match(cli.out(), /SIGTERM: stopped\. 1 events \(1 good, 0 bad\)/)
  assert.ok(existsSync(db))
})

test('eventwire dev refuses conflicting options and a busy port', async () => {
  const both = run(['--memory', '--db', 'x.db'])
  const [bothCode] = await once(both.child, 'exit')
  assert.equal(bothCode, 2)
  assert.match(both.err(), /--db <file> or --memory, not both/)

  const busy = await start()
  const taken = run(['--port', String(busy.port), '--memory'])
  const [takenCode] = await once(taken.child, 'exit')
  assert.equal(takenCode, 1)
  assert.match(taken.err(), /cannot listen on 127\.0\.0\.1:\d+/)
})
