import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { StoredItem } from '../../src/collector/index.js'
import { Mixpanel } from '../../src/index.js'
import { startTestCollector } from '../../src/testing/index.js'
import { getJson, tempDir, waitFor } from './helpers.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/dev-cli.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

test('eventwire/testing: start an in-memory collector, run the service, assert with typed queries', async () => {
  const sink = await startTestCollector({
    plan: { version: '1', events: { s: { name: 'Signed up', properties: { plan: { type: 'string' } } } } },
  })
  try {
    assert.match(sink.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    // "your service"
    const mp = new Mixpanel('ci-token', { apiHost: sink.url })
    await mp.track('u-1', 'Signed up', { plan: 'pro' })
    await mp.track('u-2', 'Signed up', { plan: 'free', extra: 1 } as never)
    await mp.people.set('u-1', { plan: 'pro' })
    await mp.close()

    const [pro] = await sink.waitForEvents<{ plan: string }>({ properties: { plan: 'pro' } })
    assert.equal(pro!.properties.plan, 'pro')
    assert.equal(pro!.distinctId, 'u-1')
    assert.equal(pro!.valid, true)
    const flagged = sink.events({ issue: 'unplanned_property' })
    assert.deepEqual(
      flagged.map((e) => [e.distinctId, e.accepted, e.valid]),
      [['u-2', true, false]],
    )
    assert.deepEqual(sink.profile('u-1'), { plan: 'pro' })
    assert.deepEqual(
      sink.profiles().map((p) => p.id),
      ['u-1'],
    )
    assert.equal(sink.stats().events, 2)
    await assert.rejects(sink.waitForEvents({ name: 'Never sent' }, { timeoutMs: 100 }), /0 arrived/)
    sink.reset()
    assert.deepEqual(sink.events(), [])
  } finally {
    await sink.close()
  }
})

test('the REST pattern: eventwire dev --memory in one process, a service in another, assertions over HTTP', async () => {
  const dir = tempDir()
  const dev = spawn(process.execPath, ['--import', 'tsx', FIXTURE, 'dev', '--memory', '--port', '0'], {
    cwd: ROOT,
  })
  let out = ''
  dev.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  await waitFor(() => /listening on http/.test(out), 30_000, 'the collector')
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!
  // the "service": a separate Node.js process using the built-in fetch, as any language could
  const service = join(dir, 'service.mjs')
  writeFileSync(
    service,
    `const url = process.argv[2]
for (const n of [1, 2, 3]) {
  await fetch(url + '/track', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ event: 'Order placed', properties: { token: 't', distinct_id: 'c-' + n, total: n * 10 } }]) })
}`,
  )
  const child = spawn(process.execPath, [service, url])
  const [code] = await once(child, 'exit')
  assert.equal(code, 0)
  const { events, total, last } = await getJson<{ events: StoredItem[]; total: number; last: number }>(
    `${url}/_/events?name=Order%20placed&where=${encodeURIComponent('total = 20')}&count=1`,
  )
  assert.equal(total, 1)
  assert.equal(events[0]!.distinctId, 'c-2')
  // `last` is the newest item stored, whatever the filters: c-3's
  const [newest] = (await getJson<{ events: StoredItem[] }>(`${url}/_/events?limit=1`)).events
  assert.equal(newest!.distinctId, 'c-3')
  assert.equal(last, newest!.id)
  assert.equal((await getJson<{ good: number }>(`${url}/_/stats`)).good, 3)
  const exported = await fetch(`${url}/_/export?name=Order%20placed`)
  assert.equal(exported.headers.get('content-type'), 'application/x-ndjson; charset=utf-8')
  assert.equal((await exported.text()).trim().split('\n').length, 3)
  dev.kill('SIGTERM')
  await once(dev, 'exit')
})
