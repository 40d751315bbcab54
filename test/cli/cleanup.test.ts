import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { createFakeClock, startTestReceiver } from '../../src/testing/index.js'
import { closeAfter, runCli, startAppServer, tempDir } from './helpers.js'

const TOKEN = 'proj-token-0123456789'

interface LexiconSchema {
  description?: string
  properties: Record<string, unknown>
  metadata: { 'com.mixpanel': { hidden: boolean; dropped: boolean; tags?: string[] } }
}

test('people delete: $delete with $ignore_alias for every id, 2000 per request; a dry run sends nothing', async () => {
  const dir = tempDir()
  const ids = Array.from({ length: 4500 }, (_, i) => `dup-${i}`)
  const file = join(dir, 'ids.txt')
  writeFileSync(file, `${ids.slice(0, 10).join('\r\n')}\r\n\r\n  ${ids.slice(10).join('\n')}\n`)
  const receiver = closeAfter(await startTestReceiver())
  const base = [
    'people',
    'delete',
    '--ids',
    file,
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--ignore-alias',
  ]

  const dry = await runCli([...base, '--dry-run'])
  assert.equal(dry.code, 0, dry.stderr)
  const lines = dry.stdout.trim().split('\n')
  assert.equal(
    lines[0],
    '{"$distinct_id":"dup-0","$delete":"","$ip":0,"$ignore_time":true,"$ignore_alias":true}',
  )
  assert.match(lines.at(-1)!, /people delete: dry run: 4,500 ids, nothing sent/)
  assert.equal(receiver.requests.length, 0)

  const run = await runCli([...base, '--json'])
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(
    (({ ids, sent, failed, requests }) => ({ ids, sent, failed, requests }))(JSON.parse(run.stdout)),
    { ids: 4500, sent: 4500, failed: 0, requests: 3 },
  )
  assert.deepEqual(
    receiver.requests.map((r) => [r.path, r.records.length]),
    [
      ['/engage', 2000],
      ['/engage', 2000],
      ['/engage', 500],
    ],
  )
  const records = receiver.delivered('/engage')
  assert.deepEqual(
    records.map((r) => r.$distinct_id),
    ids,
  )
  for (const r of records) {
    assert.deepEqual(r, {
      $token: TOKEN,
      $distinct_id: r.$distinct_id,
      $delete: '',
      $ip: 0,
      $ignore_time: true,
      $ignore_alias: true,
    })
  }
})

test('people unset and groups delete send the documented operations; refused ids fail the command', async () => {
  const dir = tempDir()
  const users = join(dir, 'users.csv')
  writeFileSync(users, 'user,name\nu1,Ann\nu2,Bob\n')
  const companies = join(dir, 'companies.ndjson')
  writeFileSync(companies, '"acme"\n{"company_id":"globex"}\n42\nnot json\n')
  const receiver = closeAfter(await startTestReceiver())

  const unset = await runCli([
    'people',
    'unset',
    'plan',
    'seats',
    '--ids',
    users,
    '--id-field',
    'user',
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
  ])
  assert.equal(unset.code, 0, unset.stderr)
  assert.match(unset.stdout, /people unset: 2 ids: 2 acknowledged, 0 failed, 1 request/)
  assert.deepEqual(
    receiver.delivered('/engage').map((r) => [r.$distinct_id, r.$unset, r.$ip, r.$ignore_time]),
    [
      ['u1', ['plan', 'seats'], 0, true],
      ['u2', ['plan', 'seats'], 0, true],
    ],
  )

  const groups = await runCli([
    'groups',
    'delete',
    '--group-key',
    'company_id',
    '--ids',
    companies,
    '--id-field',
    'company_id',
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
  ])
  assert.equal(groups.code, 1, 'an unreadable line fails the command')
  assert.match(groups.stderr, /line 4: not valid JSON/)
  assert.deepEqual(
    receiver.delivered('/groups').map((r) => [r.$group_key, r.$group_id, r.$delete, r.$token]),
    [
      ['company_id', 'acme', '', TOKEN],
      ['company_id', 'globex', '', TOKEN],
      ['company_id', '42', '', TOKEN],
    ],
  )

  receiver.handle(() => ({ status: 401, body: { error: 'Invalid token', status: 0 } }))
  const refused = await runCli([
    'people',
    'delete',
    '--ids',
    users,
    '--id-field',
    'user',
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--json',
  ])
  assert.equal(refused.code, 1)
  const summary = JSON.parse(refused.stdout)
  assert.equal(summary.failed, 2)
  assert.match(summary.problems[0].reason, /answered 401: Invalid token/)
})

test('gdpr delete: 1999 ids per request, one request per second on the clock, 429 retried; gdpr status', async () => {
  const clock = createFakeClock({ autoAdvanceSleeps: true })
  const arrivals: number[] = []
  const app = closeAfter(
    await startAppServer((req, index) => {
      arrivals.push(clock.now())
      if (req.method === 'GET')
        return { body: { status: 'ok', results: { status: 'STARTED', distinct_ids: ['x'] } } }
      if (index === 1)
        return { status: 429, headers: { 'retry-after': '0' }, body: { error: 'rate limited' } }
      return { body: { status: 'ok', results: { tracking_id: `task-${index}` } } }
    }),
  )
  const dir = tempDir()
  const file = join(dir, 'ids.txt')
  const ids = Array.from({ length: 5000 }, (_, i) => `person-${i}`)
  writeFileSync(file, ids.join('\n'))
  const gdprToken = 'gdpr-oauth-secret-987654'
  const run = await runCli(
    [
      'gdpr',
      'delete',
      '--ids',
      file,
      '--token',
      TOKEN,
      '--api-host',
      app.origin,
      '--compliance-type',
      'CCPA',
    ],
    { clock, env: { EVENTWIRE_GDPR_TOKEN: gdprToken } },
  )
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.stdout.trim().split('\n'), [
    'deletion task task-0: 1,999 ids',
    'deletion task task-2: 1,999 ids',
    'deletion task task-3: 1,002 ids',
    'gdpr delete: 5,000 ids in 3 deletion tasks',
  ])
  assert.equal(app.requests.length, 4)
  const posts = app.requests
  for (const r of posts) {
    assert.equal(r.method, 'POST')
    assert.equal(r.path, '/api/app/data-deletions/v3.0')
    assert.equal(r.query.get('token'), TOKEN)
    assert.equal(r.headers.authorization, `Bearer ${gdprToken}`)
    assert.equal((r.body as { compliance_type: string }).compliance_type, 'CCPA')
  }
  const sent = [posts[0], posts[2], posts[3]].flatMap(
    (r) => (r!.body as { distinct_ids: string[] }).distinct_ids,
  )
  assert.deepEqual(sent, ids)
  assert.deepEqual(posts[1]!.body, posts[2]!.body, 'the refused request is sent again unchanged')
  for (let i = 1; i < arrivals.length; i++) {
    assert.ok(
      arrivals[i]! - arrivals[i - 1]! >= 1000,
      `requests ${i - 1} and ${i} are ${arrivals[i]! - arrivals[i - 1]!} ms apart`,
    )
  }
  assert.ok(
    clock.sleeps.filter((ms) => ms >= 999).length >= 3,
    'the client waited on the clock, not in real time',
  )

  const status = await runCli(
    ['gdpr', 'status', 'task-0', '--token', TOKEN, '--api-host', app.origin, '--gdpr-token', gdprToken],
    { clock },
  )
  assert.equal(status.code, 0, status.stderr)
  assert.equal(status.stdout, 'task-0: STARTED\n')
  const get = app.requests.at(-1)!
  assert.deepEqual(
    [get.method, get.path, get.query.get('token')],
    ['GET', '/api/app/data-deletions/v3.0/task-0', TOKEN],
  )
  assert.ok(arrivals.at(-1)! - arrivals.at(-2)! >= 0)

  const missing = await runCli(['gdpr', 'status', 'task-0', '--token', TOKEN, '--api-host', app.origin], {
    clock,
  })
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /the GDPR OAuth token is required \(--gdpr-token or EVENTWIRE_GDPR_TOKEN\)/)
})

test('events deprecate: reads Lexicon, writes back only the named events hidden and dropped, keeping their schemas', async () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema',
    description: 'Old checkout flow.',
    additionalProperties: true,
    properties: { cart: { type: 'number', description: 'Items in the cart' } },
    metadata: { 'com.mixpanel': { hidden: false, dropped: false, tags: ['checkout'] } },
  }
  const app = closeAfter(
    await startAppServer((req) =>
      req.method === 'GET'
        ? {
            body: {
              status: 'ok',
              results: [
                { entityType: 'event', name: 'Old Checkout', schemaJson: schema },
                { entityType: 'event', name: 'Kept', schemaJson: { properties: {} } },
              ],
            },
          }
        : { body: { status: 'ok', results: { added: 2, deleted: 0 } } },
    ),
  )
  const run = await runCli(
    [
      'events',
      'deprecate',
      'Old Checkout',
      'legacy_ping',
      '--drop',
      '--project-id',
      '123',
      '--api-host',
      app.origin,
    ],
    {
      clock: createFakeClock({ autoAdvanceSleeps: true }),
      env: { EVENTWIRE_SERVICE_ACCOUNT: 'robot.sa:lexicon-secret-42' },
    },
  )
  assert.equal(run.code, 0, run.stderr)
  assert.match(
    run.stdout,
    /dropped Old Checkout\ndropped legacy_ping \(no schema before: created one\)\nevents deprecate: 2 events in 2 Lexicon requests/,
  )
  assert.deepEqual(
    app.requests.map((r) => [r.method, r.path]),
    [
      ['GET', '/api/app/projects/123/schemas'],
      ['POST', '/api/app/projects/123/schemas'],
    ],
  )
  assert.equal(
    app.requests[1]!.headers.authorization,
    `Basic ${Buffer.from('robot.sa:lexicon-secret-42').toString('base64')}`,
  )
  const { entries } = app.requests[1]!.body as {
    entries: Array<{ name: string; schemaJson: LexiconSchema }>
  }
  assert.deepEqual(
    entries.map((e) => e.name),
    ['Old Checkout', 'legacy_ping'],
  )
  const old = entries[0]!.schemaJson
  assert.deepEqual(old.properties.cart, { type: 'number', description: 'Items in the cart' })
  assert.equal(old.metadata['com.mixpanel'].hidden, true)
  assert.equal(old.metadata['com.mixpanel'].dropped, true)
  assert.deepEqual(old.metadata['com.mixpanel'].tags, ['checkout'])
  assert.equal(old.description, 'Deprecated. Old checkout flow.')
  assert.equal(entries[1]!.schemaJson.metadata['com.mixpanel'].hidden, true)
})
