import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { StoredItem, StoredProfile } from '../../src/collector/index.js'
import { BufferedConsumer, ImportError, Mixpanel } from '../../src/index.js'
import { getJson, postJson, start } from './helpers.js'

test("10,000 events from eventwire's BufferedConsumer land once each", async () => {
  const collector = await start()
  const consumer = new BufferedConsumer({ apiHost: collector.url, maxSize: 2000 })
  const mp = new Mixpanel('ew-token', { consumer })
  const calls: Promise<void>[] = []
  for (let i = 0; i < 10_000; i++) {
    calls.push(
      mp.track(`user-${i % 100}`, 'Button clicked', { index: i, color: i % 2 === 0 ? 'red' : 'blue' }),
    )
  }
  await Promise.all(calls)
  await mp.flush()
  const result = await mp.close()
  assert.equal(result.failed, 0)

  const stats = await getJson<{
    events: number
    good: number
    bad: number
    uniqueInsertIds: number
    requests: number
  }>(`${collector.url}/_/stats`)
  assert.equal(stats.events, 10_000)
  assert.equal(stats.good, 10_000)
  assert.equal(stats.bad, 0)
  assert.equal(stats.uniqueInsertIds, 10_000)
  assert.equal(stats.requests, 5)
  // Requests run concurrently, so the last one stored need not hold the last event: look it up.
  const where = encodeURIComponent('index = 9999')
  const [last] = (await getJson<{ events: StoredItem[] }>(`${collector.url}/_/events?where=${where}`)).events
  assert.equal((last!.payload as { properties: { index: number } }).properties.index, 9_999)
  assert.equal(last!.distinctId, 'user-99')
})

test('profile and group updates from the eventwire client materialise in order', async () => {
  const collector = await start()
  const mp = new Mixpanel('ew-token', { apiHost: collector.url })
  await mp.people.set('u-7', { name: 'Grace', plan: 'free', tags: ['beta'] })
  await mp.people.setOnce('u-7', { plan: 'ignored', signup: '2024-05-01' })
  await mp.people.increment('u-7', { logins: 3 })
  await mp.people.increment('u-7', { logins: -1 })
  await mp.people.append('u-7', { history: 'a' })
  await mp.people.append('u-7', { history: 'b' })
  await mp.people.union('u-7', { tags: ['beta', 'admin'] })
  await mp.people.remove('u-7', { tags: 'beta' })
  await mp.people.unset('u-7', ['plan'])
  await mp.groups.set('company_id', 'acme', { name: 'Acme' })
  const profile = await getJson<StoredProfile>(`${collector.url}/_/profiles/u-7`)
  assert.deepEqual(profile.properties, {
    name: 'Grace',
    tags: ['admin'],
    signup: '2024-05-01',
    logins: 2,
    history: ['a', 'b'],
  })
  assert.deepEqual(collector.groupProfile('company_id', 'acme')?.properties, { name: 'Acme' })
  await mp.people.delete('u-7')
  const gone = await fetch(`${collector.url}/_/profiles/u-7`)
  assert.equal(gone.status, 404)
  assert.equal(collector.stats().profiles, 0)
  await mp.close()
})

test('/import checks credentials when the collector has some', async () => {
  const account = { username: 'sa-user', secret: 'sa-secret', projectId: 42 }
  const collector = await start({ token: 'ew-token', serviceAccount: account })

  const byToken = new Mixpanel('ew-token', { apiHost: collector.url })
  await byToken.import('u-1', 'Imported', new Date('2024-01-02T00:00:00Z'), { n: 1 })
  const byAccount = new Mixpanel('ew-token', { apiHost: collector.url, serviceAccount: account })
  await byAccount.import('u-1', 'Imported', new Date('2024-01-03T00:00:00Z'), { n: 2 })
  assert.equal(collector.events({ name: 'Imported' }).length, 2)

  const wrong = new Mixpanel('other-token', { apiHost: collector.url, retryLimit: 0 })
  await assert.rejects(
    wrong.import('u-1', 'Imported', Date.now(), { n: 3 }),
    (error: Error & { status?: number }) => {
      assert.equal(error.status, 401)
      return true
    },
  )
  const raw = await postJson(`${collector.url}/import?strict=1`, [], {
    authorization: `Basic ${Buffer.from('sa-user:sa-secret').toString('base64')}`,
  })
  assert.equal(raw.status, 401, 'a service account needs its project_id')
  assert.deepEqual(JSON.parse(raw.body), { code: 401, error: 'Invalid credentials', status: 'Unauthorized' })
  assert.equal(collector.events({ name: 'Imported' }).length, 2)
  await byToken.close()
  await byAccount.close()
  await wrong.close()
})

test('/import strict=1 answers 400 with failed_records and ingests the valid records', async () => {
  const collector = await start()
  const time = Date.now() - 86_400_000
  const records = [
    { event: 'ok', properties: { token: 't', distinct_id: 'u1', time, $insert_id: 'good-1' } },
    { event: 'bad', properties: { token: 't', distinct_id: 'null', time, $insert_id: 'bad-1' } },
    { event: 'ok', properties: { token: 't', distinct_id: 'u2', time, $insert_id: 'good-2' } },
    { event: 'no id', properties: { token: 't', distinct_id: 'u3', time } },
  ]
  const res = await postJson(`${collector.url}/import?strict=1`, records)
  assert.equal(res.status, 400)
  const body = JSON.parse(res.body)
  assert.equal(body.num_records_imported, 2)
  assert.deepEqual(body.failed_records, [
    {
      index: 1,
      $insert_id: 'bad-1',
      field: 'properties.distinct_id',
      message: '"null" is a placeholder value /import rejects',
    },
    {
      index: 3,
      $insert_id: null,
      field: 'properties.$insert_id',
      message: '/import requires properties.$insert_id',
    },
  ])
  assert.deepEqual(
    collector.events({ order: 'asc' }).map((e) => [e.name, e.valid]),
    [
      ['ok', true],
      ['bad', false],
      ['ok', true],
      ['no id', false],
    ],
  )

  // eventwire's client reads the same answer as an ImportError naming the refused record
  const mp = new Mixpanel('t', { apiHost: collector.url })
  await assert.rejects(
    mp.importBatch([
      { event: 'fine', properties: { distinct_id: 'u1', time, $insert_id: 'fine-1' } },
      { event: 'too old', properties: { distinct_id: 'u1', time: 5, $insert_id: 'old-1' } },
    ]),
    (error: unknown) => {
      assert.ok(error instanceof ImportError)
      assert.deepEqual(
        error.failedRecords.map((r) => [r.insertId, r.field]),
        [['old-1', 'properties.time']],
      )
      return true
    },
  )
  assert.equal(collector.events({ name: 'fine' }).length, 1)
  await mp.close()
})
