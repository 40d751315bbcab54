import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { syncProfiles } from '../../src/bulk/index.js'
import type { JsonObject } from '../../src/message/index.js'
import { createTestConsumer, startTestReceiver } from '../../src/testing/index.js'
import { closeAfter, runCli, tempDir } from './helpers.js'

const TOKEN = 'proj-token-0123456789'

type User = { id: string } & Record<string, unknown>

/** Applies received /engage records in order, as Mixpanel would, into profiles by distinct id. */
function materialise(records: readonly JsonObject[]): Map<string, JsonObject> {
  const profiles = new Map<string, JsonObject>()
  for (const r of records) {
    const id = r.$distinct_id as string
    if ('$delete' in r) {
      profiles.delete(id)
      continue
    }
    const profile = profiles.get(id) ?? {}
    if (r.$set) Object.assign(profile, r.$set)
    if (r.$unset) for (const key of r.$unset as string[]) delete profile[key]
    profiles.set(id, profile)
  }
  return profiles
}

function expected(users: readonly User[]): Map<string, JsonObject> {
  return new Map(users.map(({ id, ...rest }) => [id, rest as JsonObject]))
}

function write(path: string, users: readonly User[]): void {
  writeFileSync(path, users.map((u) => JSON.stringify(u)).join('\n'))
}

test('people sync: first run sets all, a second sends nothing, a change is one $set, a removal one $unset', async () => {
  const dir = tempDir()
  const file = join(dir, 'users.ndjson')
  const users: User[] = Array.from({ length: 2500 }, (_, i) => ({
    id: `user-${i}`,
    $email: `person${i}@example.com`,
    plan: i % 2 === 0 ? 'free' : 'pro',
    seats: i % 10,
    tags: ['beta', String(i % 3)],
  }))
  write(file, users)
  const receiver = closeAfter(await startTestReceiver())
  const all: JsonObject[] = []
  const collect = () => {
    all.push(...receiver.delivered('/engage'))
    const requests = receiver.requests.length
    receiver.reset()
    return requests
  }
  const args = [
    'people',
    'sync',
    file,
    '--id-field',
    'id',
    '--state',
    join(dir, 'state.sqlite'),
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
  ]

  const first = await runCli([...args, '--json'])
  assert.equal(first.code, 0, first.stderr)
  assert.deepEqual(
    (({ rows, set, unset, deleted, created, unchanged, failed }) => ({
      rows,
      set,
      unset,
      deleted,
      created,
      unchanged,
      failed,
    }))(JSON.parse(first.stdout)),
    { rows: 2500, set: 2500, unset: 0, deleted: 0, created: 2500, unchanged: 0, failed: 0 },
  )
  const firstRecords = receiver.delivered('/engage')
  assert.equal(firstRecords.length, 2500)
  for (const r of firstRecords) {
    assert.equal(r.$ip, 0)
    assert.equal(r.$ignore_time, true)
    assert.equal(r.$token, TOKEN)
  }
  assert.equal(collect(), 2, 'two requests: 2000 + 500 updates')
  assert.deepEqual(materialise(all), expected(users))

  const second = await runCli([...args, '--json'])
  assert.equal(second.code, 0, second.stderr)
  assert.equal(JSON.parse(second.stdout).unchanged, 2500)
  assert.equal(collect(), 0, 'unchanged input sends nothing')

  users[7]!.plan = 'enterprise'
  delete users[42]!.seats
  write(file, users)
  const third = await runCli(args)
  assert.equal(third.code, 0, third.stderr)
  assert.match(third.stdout, /people sync: 2,500 rows: 1 \$set, 1 \$unset, 0 \$delete, 2498 unchanged/)
  const changes = receiver.delivered('/engage')
  assert.equal(changes.length, 2)
  const set = changes.find((r) => '$set' in r)!
  assert.deepEqual([set.$distinct_id, set.$set], ['user-7', { plan: 'enterprise' }])
  const unset = changes.find((r) => '$unset' in r)!
  assert.deepEqual([unset.$distinct_id, unset.$unset], ['user-42', ['seats']])
  collect()
  assert.deepEqual(materialise(all), expected(users))

  users[9]!.$email = 'new9@example.com'
  write(file, users)
  const dry = await runCli([...args, '--dry-run'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.match(dry.stdout, /^\$set {4}user-9 \{"\$email":"new9@example\.com"\}$/m)
  assert.match(dry.stdout, /dry run: people sync: .* nothing sent/)
  assert.equal(collect(), 0, 'a dry run sends nothing')

  const gone = users.splice(0, 1)[0]!
  write(file, users)
  const pruned = await runCli([...args, '--delete-missing', '--json'])
  assert.equal(pruned.code, 0, pruned.stderr)
  const summary = JSON.parse(pruned.stdout)
  assert.equal(summary.deleted, 1)
  assert.equal(summary.set, 1, 'the dry run left the state as it was: the change is sent now')
  const deletes = receiver.delivered('/engage').filter((r) => '$delete' in r)
  assert.deepEqual(
    deletes.map((r) => r.$distinct_id),
    [gone.id],
  )
  collect()
  assert.deepEqual(materialise(all), expected(users))
})

test('updates the server refuses are not recorded: the next run sends them again', async () => {
  const dir = tempDir()
  const file = join(dir, 'users.csv')
  writeFileSync(file, 'user_id,name,plan\nu1,Ann,pro\nu2,Bob,\nu3,"Cy, Jr.",free\n')
  const receiver = closeAfter(
    await startTestReceiver((request) =>
      request.records.some((r) => r.$distinct_id === 'u2')
        ? { status: 200, body: { status: 0, error: 'refused' } }
        : undefined,
    ),
  )
  const args = [
    'people',
    'sync',
    file,
    '--id-field',
    'user_id',
    '--state',
    join(dir, 'state.sqlite'),
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--batch-size',
    '1',
  ]
  const failing = await runCli([...args, '--concurrency', '1', '--json'])
  assert.equal(failing.code, 1)
  const summary = JSON.parse(failing.stdout)
  assert.equal(summary.failed, 1)
  assert.match(summary.problems[0].reason, /refused/)
  receiver.handle(undefined)
  receiver.reset()
  const retry = await runCli([...args, '--json'])
  assert.equal(retry.code, 0, retry.stderr)
  assert.deepEqual(
    receiver.delivered('/engage').map((r) => [r.$distinct_id, r.$set]),
    [['u2', { name: 'Bob' }]],
    'only the refused update is sent again; an empty CSV cell is no property',
  )
  assert.equal(materialise(receiver.delivered('/engage')).size, 1)
})

test('syncProfiles hands updates to a consumer and refuses --delete-missing with no rows', async () => {
  const dir = tempDir()
  const consumer = createTestConsumer()
  const statePath = join(dir, 'state.sqlite')
  const first = await syncProfiles(
    [
      { distinct_id: 'a', plan: 'pro', since: new Date(Date.UTC(2024, 0, 2)) },
      { distinct_id: 'b', plan: 'free' },
      { distinct_id: 'a', plan: 'dup' },
      { plan: 'no id' },
    ],
    { token: TOKEN, statePath, consumer },
  )
  assert.equal(first.set, 2)
  assert.equal(first.invalid, 2)
  assert.equal(first.ok, false)
  assert.deepEqual(
    first.problems.map((p) => p.reason),
    ['duplicate id: an earlier row has the same id', 'no "distinct_id" field'],
  )
  assert.deepEqual(
    consumer.for('people').map((m) => [m.$distinct_id, m.$set]),
    [
      ['a', { plan: 'pro', since: '2024-01-02T00:00:00.000Z' }],
      ['b', { plan: 'free' }],
    ],
  )

  const empty = await runCli([
    'people',
    'sync',
    writeEmpty(dir),
    '--state',
    statePath,
    '--token',
    TOKEN,
    '--delete-missing',
  ])
  assert.equal(empty.code, 1)
  assert.match(
    empty.stderr,
    /the input has no rows: --delete-missing would delete all 2 synced profiles; nothing was sent \[EVENTWIRE_UNSAFE_DELETE\]/,
  )
})

function writeEmpty(dir: string): string {
  const path = join(dir, 'empty.ndjson')
  writeFileSync(path, '')
  return path
}
