import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { ImportError, LIB_VERSION, Mixpanel } from '../../src/index.js'
import { createFakeClock, startTestReceiver, type TestReceiver } from '../../src/testing/index.js'

const NOW = 1_750_000_000_000
const TOKEN = 'project-token'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('Mixpanel client: exact wire output through Consumer', () => {
  let receiver: TestReceiver
  let mp: Mixpanel

  before(async () => {
    receiver = await startTestReceiver()
  })
  after(async () => {
    await mp.close()
    await receiver.close()
  })
  beforeEach(() => {
    receiver.requests.length = 0
    mp = new Mixpanel(TOKEN, {
      apiHost: receiver.origin,
      clock: createFakeClock({ now: NOW }),
      retryLimit: 0,
    })
  })

  const only = () => {
    assert.equal(receiver.requests.length, 1, 'one request per call')
    const request = receiver.requests[0]!
    assert.equal(request.method, 'POST')
    assert.equal(request.headers['content-type'], 'application/json')
    assert.equal(request.records.length, 1)
    return { request, record: request.records[0]! }
  }

  test('track', async () => {
    await mp.track('user-1', 'Signed up', {
      plan: 'pro',
      seats: 3,
      when: new Date(Date.UTC(2024, 0, 2)),
      $insert_id: 'fixed-id-1',
    })
    const { request, record } = only()
    assert.equal(request.path, '/track')
    assert.equal(request.query.toString(), 'ip=0&verbose=1')
    assert.equal(request.headers.authorization, undefined, '/track never carries credentials')
    assert.deepEqual(record, {
      event: 'Signed up',
      properties: {
        token: TOKEN,
        distinct_id: 'user-1',
        time: NOW,
        $insert_id: 'fixed-id-1',
        mp_lib: 'eventwire',
        $lib_version: LIB_VERSION,
        plan: 'pro',
        seats: 3,
        when: '2024-01-02T00:00:00.000Z',
      },
    })
  })

  test('track generates a valid $insert_id and accepts Simplified ID Merge ids without distinct_id', async () => {
    await mp.track(null, 'Page viewed', { $device_id: 'dev-1', $user_id: 'user-1' })
    const { record } = only()
    const props = record.properties as Record<string, unknown>
    assert.match(String(props.$insert_id), UUID)
    assert.equal(String(props.$insert_id).length, 36)
    assert.ok(!('distinct_id' in props))
    assert.equal(props.$device_id, 'dev-1')
    assert.equal(props.$user_id, 'user-1')
  })

  test('import uses /import with strict=1 and the token as Basic user', async () => {
    await mp.import('user-1', 'Legacy purchase', new Date(Date.UTC(2020, 5, 1)), {
      amount: 10,
      $insert_id: 'imp-1',
    })
    const { request, record } = only()
    assert.equal(request.path, '/import')
    assert.equal(request.query.toString(), 'strict=1')
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`)
    assert.deepEqual(record, {
      event: 'Legacy purchase',
      properties: {
        token: TOKEN,
        distinct_id: 'user-1',
        time: Date.UTC(2020, 5, 1),
        $insert_id: 'imp-1',
        mp_lib: 'eventwire',
        $lib_version: LIB_VERSION,
        amount: 10,
      },
    })
  })

  test('import with a service account sends project_id and its credentials', async () => {
    const account = new Mixpanel(TOKEN, {
      apiHost: receiver.origin,
      serviceAccount: { username: 'sa.user', secret: 's3cr3t-value', projectId: 12345 },
    })
    await account.import('user-1', 'Legacy', 1_600_000_000, { $insert_id: 'imp-2' })
    await account.close()
    const { request, record } = only()
    assert.equal(request.query.toString(), 'strict=1&project_id=12345')
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from('sa.user:s3cr3t-value').toString('base64')}`,
    )
    assert.equal((record.properties as Record<string, unknown>).time, 1_600_000_000_000)
  })

  test('large /import bodies are gzip-compressed', async () => {
    const big = 'x'.repeat(4000)
    await mp.import('user-1', 'Big', NOW, { big })
    const { request, record } = only()
    assert.equal(request.headers['content-encoding'], 'gzip')
    assert.equal((record.properties as Record<string, unknown>).big, big)
  })

  test('importBatch sends one request and reports refused records by index', async () => {
    receiver.handle((req) => ({
      status: 400,
      body: {
        code: 400,
        status: 'Bad Request',
        num_records_imported: 2,
        failed_records: [
          {
            index: 1,
            $insert_id: (req.records[1]!.properties as Record<string, string>).$insert_id,
            field: 'properties.time',
            message: "'properties.time' is invalid",
          },
        ],
      },
    }))
    const events = [
      { event: 'A', properties: { distinct_id: 'u1', time: NOW, $insert_id: 'a-1' } },
      { event: 'B', properties: { distinct_id: 'u2', time: NOW, $insert_id: 'b-1' } },
      { event: 'C', properties: { distinct_id: 'null', time: NOW, $insert_id: 'c-1' } },
      { event: 'D', properties: { distinct_id: 'u4', time: NOW, $insert_id: 'd-1' } },
    ]
    const error = await mp.importBatch(events).then(
      () => assert.fail('expected an ImportError'),
      (e: unknown) => e,
    )
    receiver.handle(undefined)
    assert.ok(error instanceof ImportError)
    assert.equal(error.code, 'EVENTWIRE_IMPORT_FAILED_RECORDS')
    assert.deepEqual(
      error.failedRecords.map((r) => [r.index, r.field]),
      [
        [1, 'properties.time'],
        [2, 'distinctId'],
      ],
    )
    assert.equal(error.failedRecords[0]!.insertId, 'b-1')
    assert.equal(error.imported, 2)
    assert.equal(
      receiver.requests.length,
      1,
      'the client-side failure is not sent; the rest go in one request',
    )
    assert.deepEqual(
      receiver.requests[0]!.records.map((r) => r.event),
      ['A', 'B', 'D'],
    )
  })

  test('alias, identify and merge', async () => {
    await mp.alias('user-1', 'alias-1')
    await mp.identify('user-1', '3b4b0a3c-7c1f-4b4e-9a9e-1b2c3d4e5f60')
    await mp.merge('user-1', 'user-2')
    const [alias, identify, merge] = receiver.requests
    assert.equal(alias!.path, '/track')
    assert.equal(alias!.records[0]!.event, '$create_alias')
    assert.deepEqual(pick(alias!.records[0]!.properties, ['distinct_id', 'alias', 'token']), {
      distinct_id: 'user-1',
      alias: 'alias-1',
      token: TOKEN,
    })
    assert.equal(identify!.path, '/track')
    assert.equal(identify!.records[0]!.event, '$identify')
    assert.deepEqual(pick(identify!.records[0]!.properties, ['$identified_id', '$anon_id']), {
      $identified_id: 'user-1',
      $anon_id: '3b4b0a3c-7c1f-4b4e-9a9e-1b2c3d4e5f60',
    })
    assert.equal(merge!.path, '/import', '$merge is accepted only through /import')
    assert.equal(merge!.records[0]!.event, '$merge')
    assert.deepEqual((merge!.records[0]!.properties as Record<string, unknown>).$distinct_ids, [
      'user-1',
      'user-2',
    ])
  })

  test('people operations carry the server-side defaults', async () => {
    await mp.people.set('u1', { name: 'Ada', born: new Date(Date.UTC(1815, 11, 10)) })
    await mp.people.setOnce('u1', { first_seen: 'x' })
    await mp.people.increment('u1', { logins: 1, credits: -2 })
    await mp.people.append('u1', { tags: 'a' })
    await mp.people.union('u1', { plans: ['pro'] })
    await mp.people.remove('u1', { tags: 'a' })
    await mp.people.unset('u1', ['old', 'older'])
    await mp.people.trackCharge('u1', 9.5, { sku: 'k' })
    await mp.people.clearCharges('u1')
    await mp.people.delete('u1', { ignoreAlias: true })
    const base = { $token: TOKEN, $distinct_id: 'u1', $ip: 0, $ignore_time: true }
    assert.ok(receiver.requests.every((r) => r.path === '/engage' && r.query.toString() === 'ip=0&verbose=1'))
    assert.deepEqual(
      receiver.requests.map((r) => r.records[0]),
      [
        { ...base, $set: { name: 'Ada', born: '1815-12-10T00:00:00.000Z' } },
        { ...base, $set_once: { first_seen: 'x' } },
        { ...base, $add: { logins: 1, credits: -2 } },
        { ...base, $append: { tags: 'a' } },
        { ...base, $union: { plans: ['pro'] } },
        { ...base, $remove: { tags: 'a' } },
        { ...base, $unset: ['old', 'older'] },
        {
          ...base,
          $append: { $transactions: { sku: 'k', $time: new Date(NOW).toISOString(), $amount: 9.5 } },
        },
        { ...base, $unset: ['$transactions'] },
        { ...base, $delete: '', $ignore_alias: true },
      ],
    )
  })

  test('profile defaults are overridable per client and per call', async () => {
    const custom = new Mixpanel(TOKEN, {
      apiHost: receiver.origin,
      profileDefaults: { ip: '203.0.113.7', ignoreTime: null },
    })
    await custom.people.set('u1', { a: 1 })
    await custom.people.set('u1', { a: 2 }, { ip: null, ignoreTime: false, time: NOW })
    await custom.close()
    assert.deepEqual(receiver.requests[0]!.records[0], {
      $token: TOKEN,
      $distinct_id: 'u1',
      $set: { a: 1 },
      $ip: '203.0.113.7',
    })
    assert.deepEqual(receiver.requests[1]!.records[0], {
      $token: TOKEN,
      $distinct_id: 'u1',
      $set: { a: 2 },
      $ignore_time: false,
      $time: NOW,
    })
  })

  test('group operations', async () => {
    await mp.groups.set('company_id', 'acme', { size: 10 })
    await mp.groups.setOnce('company_id', 'acme', { founded: 1999 })
    await mp.groups.union('company_id', 'acme', { regions: ['eu'] })
    await mp.groups.remove('company_id', 'acme', { regions: 'us' })
    await mp.groups.unset('company_id', 'acme', ['legacy'])
    await mp.groups.delete('company_id', 42)
    const base = { $token: TOKEN, $group_key: 'company_id', $group_id: 'acme', $ip: 0, $ignore_time: true }
    assert.ok(receiver.requests.every((r) => r.path === '/groups'))
    assert.deepEqual(
      receiver.requests.map((r) => r.records[0]),
      [
        { ...base, $set: { size: 10 } },
        { ...base, $set_once: { founded: 1999 } },
        { ...base, $union: { regions: ['eu'] } },
        { ...base, $remove: { regions: 'us' } },
        { ...base, $unset: ['legacy'] },
        { ...base, $group_id: 42, $delete: '' },
      ],
    )
  })
})

function pick(value: unknown, keys: string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>
  return Object.fromEntries(keys.map((k) => [k, source[k]]))
}
