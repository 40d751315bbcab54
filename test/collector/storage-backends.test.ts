import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Collector } from '../../src/collector/index.js'
import { postJson, send, start, tempDir, trackEvent } from './helpers.js'

// The same traffic into the in-memory storage and the SQLite one must read back the same.
async function scenario(collector: Collector) {
  const url = collector.url
  await postJson(`${url}/track`, [
    trackEvent('Signed up', 'u-1', { plan: 'pro', $insert_id: 'a1' }),
    trackEvent('Signed up', 'u-2', { plan: 'free', $insert_id: 'a2' }),
    { event: 'No token', properties: { distinct_id: 'u-3', plan: 'pro' } },
  ])
  await postJson(`${url}/engage`, [{ $token: 't', $distinct_id: 'u-1', $set: { plan: 'pro' } }])
  await postJson(`${url}/groups`, [{ $token: 't', $group_key: 'company', $group_id: 'c', $set: { n: 1 } }])
  await send(`${url}/track`, { method: 'PUT', body: '[]' })
  const ids = (q: Parameters<Collector['events']>[0]) => collector.events(q).map((e) => e.name)
  return {
    all: ids({ order: 'asc' }),
    pro: ids({ property: 'plan = pro' }),
    notPro: ids({ property: 'plan != pro', kind: 'event' }),
    refused: ids({ verdict: 'refused' }),
    issue: ids({ issue: 'missing_token' }),
    text: ids({ text: 'SIGNED' }),
    page: ids({ before: 3, limit: 1 }),
    group: ids({ groupKey: 'company' }),
    stats: collector.stats(),
    request: (({ id: _id, receivedAt: _at, headers: _h, body, ...rest }) => ({
      ...rest,
      body: body.replace(/"time":\d+/g, '"time":0'),
    }))(collector.request(1)!),
    refusedRequest: collector.request(4)?.response.status,
    profile: collector.profile('u-1')?.properties,
    profiles: collector.profiles().map((p) => p.id),
  }
}

test('the in-memory and SQLite storages answer the same', async () => {
  const memory = await scenario(await start({ db: ':memory:' }))
  const sqlite = await scenario(await start({ db: join(tempDir(), 'dev.db') }))
  assert.deepEqual(sqlite, memory)
  assert.deepEqual(memory.pro, ['$set', 'No token', 'Signed up'])
  assert.deepEqual(memory.notPro, ['Signed up'])
  assert.deepEqual(memory.refused, ['No token'])
  assert.deepEqual(memory.page, ['Signed up'])
  assert.equal(memory.stats.requests, 4)
  assert.equal(memory.stats.refused, 1)
  assert.equal(memory.refusedRequest, 405)
})
