import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import Mixpanel from 'mixpanel'
import type { StoredItem, StoredProfile } from '../../src/collector/index.js'
import { getJson, start } from './helpers.js'

const { version: SDK_VERSION } = createRequire(import.meta.url)('mixpanel/package.json') as {
  version: string
}

function client(url: string, extra: Record<string, unknown> = {}) {
  const { host } = new URL(url)
  return Mixpanel.init('official-token', {
    host,
    protocol: 'http',
    verbose: true,
    keepAlive: false,
    ...extra,
  })
}

function done(call: (cb: (err: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((err) => (err ? reject(err) : resolve())))
}

async function events(url: string, query: string): Promise<StoredItem[]> {
  return (await getJson<{ events: StoredItem[] }>(`${url}/_/events?${query}`)).events
}

test('the official mixpanel package: track, track_batch, people.set, groups.set and import land intact', async () => {
  const collector = await start()
  const mp = client(collector.url)
  const sdk = { token: 'official-token', mp_lib: 'node', $lib_version: SDK_VERSION }

  // track: a GET with base64 data in the query string
  await done((cb) =>
    mp.track('Signed up', { distinct_id: 'u-1', plan: 'pro', seats: 3, tags: ['a', 'b'] }, cb),
  )
  const [signedUp] = await events(collector.url, 'name=Signed%20up')
  assert.deepEqual(signedUp!.payload, {
    event: 'Signed up',
    properties: { distinct_id: 'u-1', plan: 'pro', seats: 3, tags: ['a', 'b'], ...sdk },
  })
  assert.equal(signedUp!.source, 'mixpanel')
  assert.equal(signedUp!.endpoint, '/track')
  assert.equal(signedUp!.distinctId, 'u-1')
  assert.equal(signedUp!.valid, true)

  // track_batch: POST form bodies with un-encoded base64, chunks of 50
  const now = Date.now()
  const batch = Array.from({ length: 120 }, (_, i) => ({
    event: 'Viewed item',
    properties: { distinct_id: `u-${i % 7}`, time: now - i, item: `sku-${i}`, $insert_id: `batch-${i}` },
  }))
  await new Promise<void>((resolve, reject) =>
    mp.track_batch(batch, (errors) => (errors && errors.length > 0 ? reject(errors[0]) : resolve())),
  )
  const viewed = await events(collector.url, 'name=Viewed%20item&limit=500&order=asc')
  assert.equal(viewed.length, 120)
  for (const [i, item] of viewed.entries()) {
    assert.deepEqual(item.payload, {
      event: 'Viewed item',
      properties: {
        distinct_id: `u-${i % 7}`,
        time: now - i,
        item: `sku-${i}`,
        $insert_id: `batch-${i}`,
        token: 'official-token',
      },
    })
    assert.equal(item.valid, true, JSON.stringify(item.issues))
  }

  // people.set and groups.set: GET /engage and /groups
  await done((cb) => mp.people.set('u-1', { $name: 'Ada', plan: 'pro', ip: '10.0.0.1' }, cb))
  await done((cb) => mp.people.set_once('u-1', 'first_seen', '2024-01-01', cb))
  await done((cb) => mp.people.increment('u-1', 'logins', 2, cb))
  await done((cb) => mp.groups.set('company_id', 'acme', { $name: 'Acme', employees: 50 }, cb))
  const profile = await getJson<StoredProfile>(`${collector.url}/_/profiles/u-1`)
  assert.deepEqual(profile.properties, { $name: 'Ada', plan: 'pro', first_seen: '2024-01-01', logins: 2 })
  const group = await getJson<StoredProfile>(`${collector.url}/_/groups/company_id/acme`)
  assert.deepEqual(group.properties, { $name: 'Acme', employees: 50 })
  const [setUpdate] = await events(collector.url, 'kind=user&name=%24set')
  assert.deepEqual(setUpdate!.payload, {
    $token: 'official-token',
    $distinct_id: 'u-1',
    $set: { $name: 'Ada', plan: 'pro' },
    $ip: '10.0.0.1',
  })

  // import: the package refuses a secret over plain http, so it authenticates with the legacy api key
  const mpImport = client(collector.url, { key: 'legacy-key' })
  const time = new Date('2024-03-01T12:00:00Z')
  await done((cb) =>
    mpImport.import('Old purchase', time, { distinct_id: 'u-2', amount: 9.5, $insert_id: 'imp-1' }, cb),
  )
  const [imported] = await events(collector.url, 'name=Old%20purchase')
  assert.deepEqual(imported!.payload, {
    event: 'Old purchase',
    properties: { distinct_id: 'u-2', amount: 9.5, $insert_id: 'imp-1', time: time.getTime(), ...sdk },
  })
  assert.equal(imported!.endpoint, '/import')
  assert.equal(imported!.time, time.getTime())
  assert.equal(imported!.valid, true, JSON.stringify(imported!.issues))

  const stats = collector.stats()
  assert.equal(stats.events, 122)
  assert.equal(stats.bad, 0)
  assert.equal(stats.updates, 4)
  assert.equal(stats.profiles, 1)
  assert.equal(stats.groupProfiles, 1)
  assert.equal(stats.uniqueInsertIds, 121)
})

test('the official package sees a failure when Mixpanel would refuse the event', async () => {
  const collector = await start()
  const mp = client(collector.url)
  const deep = { a: { b: { c: { d: 1 } } } }
  await assert.rejects(
    done((cb) => mp.track('Too deep', { distinct_id: 'u-1', deep }, cb)),
    /nested deeper than Mixpanel's limit/,
  )
  const [item] = await events(collector.url, 'name=Too%20deep')
  assert.equal(item!.valid, false)
  assert.deepEqual(
    item!.issues.map((i) => [i.code, i.path]),
    [['too_deep', 'properties.deep.a.b.c']],
  )
})
