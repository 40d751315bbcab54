import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { startCollector } from '../../src/collector/index.js'
import { getJson, postJson, send, start, tempDir, trackEvent } from './helpers.js'

test('profile updates are materialised in order, across and within requests', async () => {
  const collector = await start()
  const engage = (records: unknown[]) => postJson(`${collector.url}/engage?verbose=1`, records)
  const u = (op: Record<string, unknown>) => ({ $token: 'tok', $distinct_id: 'p-1', ...op })

  await engage([
    u({ $set: { name: 'Lin', plan: 'free', tags: 'not-a-list' } }),
    u({ $set_once: { plan: 'trial', first: 'yes' } }),
    u({ $add: { visits: 1 } }),
    u({ $add: { visits: 4, name: 1 } }),
  ])
  await engage([
    u({ $append: { events: { a: 1 } } }),
    u({ $append: { events: { a: 1 }, tags: 'ignored on a non-list' } }),
    u({ $union: { skills: ['ts', 'sql'] } }),
    u({ $union: { skills: ['sql', 'go'], events: [{ a: 1 }, { b: 2 }] } }),
    u({ $remove: { skills: 'ts' } }),
    u({ $unset: ['plan'] }),
    u({ $set: { plan: 'pro' }, $unset: ['plan'] }),
  ])
  const profile = await getJson<{ properties: Record<string, unknown> }>(`${collector.url}/_/profiles/p-1`)
  assert.deepEqual(profile.properties, {
    name: 'Lin',
    tags: 'not-a-list',
    first: 'yes',
    visits: 5,
    events: [{ a: 1 }, { a: 1 }, { b: 2 }],
    skills: ['sql', 'go'],
  })

  // an update Mixpanel would refuse is stored as bad and not applied
  const refused = await engage([u({ $add: { visits: 'ten' } })])
  assert.equal(JSON.parse(refused.body).status, 0)
  assert.equal(collector.profile('p-1')?.properties.visits, 5)
  assert.deepEqual(
    collector.events({ valid: false }).map((e) => e.issues[0]!.code),
    ['invalid_operation'],
  )

  // $delete removes the profile; a later $set starts a new one
  await engage([u({ $delete: '' }), u({ $set: { reborn: true } })])
  assert.deepEqual(collector.profile('p-1')?.properties, { reborn: true })

  // group profiles are keyed by group key and id
  const groups = (records: unknown[]) => postJson(`${collector.url}/groups`, records)
  const g = (key: string, id: string, op: Record<string, unknown>) => ({
    $token: 'tok',
    $group_key: key,
    $group_id: id,
    ...op,
  })
  await groups([
    g('company_id', 'c-1', { $set: { name: 'One' } }),
    g('team_id', 'c-1', { $set: { name: 'Team one' } }),
    g('company_id', 'c-1', { $union: { regions: ['eu'] } }),
  ])
  assert.deepEqual(collector.groupProfile('company_id', 'c-1')?.properties, { name: 'One', regions: ['eu'] })
  assert.deepEqual(
    (await getJson<{ properties: unknown }>(`${collector.url}/_/groups/team_id/c-1`)).properties,
    { name: 'Team one' },
  )
  assert.equal((await send(`${collector.url}/_/groups/company_id/nope`)).status, 404)
  const listed = await getJson<{ groups: Array<{ groupKey: string }> }>(`${collector.url}/_/groups`)
  assert.deepEqual(listed.groups.map((x) => x.groupKey).sort(), ['company_id', 'team_id'])
  assert.equal(collector.stats().groupProfiles, 2)
  assert.equal(collector.stats().profiles, 1)
})

test('data survives a restart of the collector', async () => {
  const db = join(tempDir(), 'nested', 'folder', 'dev.db')
  const first = await startCollector({ port: 0, db })
  assert.ok(existsSync(db), 'the folder and file are created')
  await postJson(`${first.url}/track`, [trackEvent('kept', 'u-1'), trackEvent('kept', 'u-2', { n: [1, 2] })])
  await postJson(`${first.url}/engage`, [{ $token: 'tok', $distinct_id: 'u-1', $set: { plan: 'pro' } }])
  await postJson(`${first.url}/track`, [{ event: 'broken', properties: {} }])
  const before = first.stats()
  const itemsBefore = first.events({ order: 'asc' })
  await first.close()
  await first.close()

  const second = await startCollector({ port: 0, db })
  try {
    assert.deepEqual(second.stats(), before)
    assert.deepEqual(second.events({ order: 'asc' }), itemsBefore)
    assert.deepEqual(second.profile('u-1')?.properties, { plan: 'pro' })
    // the same $insert_id again is stored but not counted twice
    await postJson(`${second.url}/track`, [trackEvent('kept', 'u-1')])
    const after = second.stats()
    assert.equal(after.events, before.events + 1)
    assert.equal(after.uniqueInsertIds, before.uniqueInsertIds)
    assert.equal(after.requests, before.requests + 1)
    assert.ok(second.events({ limit: 1 })[0]!.id > itemsBefore.at(-1)!.id)
  } finally {
    await second.close()
  }
})

test('REST filters, reset and errors', async () => {
  const collector = await start()
  await postJson(`${collector.url}/track`, [
    trackEvent('a', 'u-1'),
    trackEvent('b', 'u-1'),
    trackEvent('a', 'u-2'),
    { event: 'a', properties: { distinct_id: 'u-3' } },
  ])
  const query = async (q: string) =>
    (
      await getJson<{ events: Array<{ name: string; distinctId: string }> }>(`${collector.url}/_/events?${q}`)
    ).events.map((e) => `${e.name}:${e.distinctId}`)
  assert.deepEqual(await query('name=a'), ['a:u-3', 'a:u-2', 'a:u-1'])
  assert.deepEqual(await query('name=a&valid=true&order=asc'), ['a:u-1', 'a:u-2'])
  assert.deepEqual(await query('valid=false'), ['a:u-3'])
  assert.deepEqual(await query('distinct_id=u-1&limit=1'), ['b:u-1'])
  assert.deepEqual(await query('after=2'), ['a:u-2', 'a:u-3'])
  assert.deepEqual(await query('kind=user'), [])
  for (const bad of ['valid=maybe', 'limit=0', 'limit=abc', 'kind=x', 'order=up', 'after=-1']) {
    assert.equal((await send(`${collector.url}/_/events?${bad}`)).status, 400, bad)
  }
  assert.equal((await send(`${collector.url}/_/nothing`)).status, 404)
  assert.equal((await send(`${collector.url}/nothing`)).status, 404)
  assert.equal((await send(`${collector.url}/_/profiles/%E0%A4%A`)).status, 400)

  // POST /_/* needs a JSON content type, so other web pages cannot trigger it
  const formReset = await send(`${collector.url}/_/reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'x=1',
  })
  assert.equal(formReset.status, 415)
  assert.equal(collector.stats().events, 4)
  const reset = await postJson(`${collector.url}/_/reset`, {})
  assert.equal(reset.status, 200)
  assert.deepEqual(JSON.parse(reset.body), {
    events: 0,
    good: 0,
    bad: 0,
    updates: 0,
    badUpdates: 0,
    profiles: 0,
    groupProfiles: 0,
    requests: 0,
    uniqueInsertIds: 0,
    refused: 0,
  })
  assert.deepEqual(await query(''), [])

  // the API and page answer only loopback host names (DNS rebinding)
  const rebound = await send(`${collector.url}/_/stats`, { headers: { host: 'evil.example:8787' } })
  assert.equal(rebound.status, 403)
  const page = await send(`${collector.url}/`, { headers: { host: 'localhost:8787' } })
  assert.equal(page.status, 200)
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/)
})
