import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { type ImportProgress, importFile } from '../../src/bulk/index.js'
import type { JsonObject } from '../../src/message/index.js'
import { startTestReceiver } from '../../src/testing/index.js'
import { closeAfter, runCli, tempDir, writeEvents } from './helpers.js'

const TOKEN = 'proj-token-0123456789'

function props(record: JsonObject): JsonObject {
  return record.properties as JsonObject
}

test('200,000 events land exactly once; a re-run sends nothing; --restart adds no unique $insert_id', async () => {
  const file = join(tempDir(), 'events.ndjson')
  writeEvents(file, 200_000)
  const receiver = closeAfter(await startTestReceiver())
  const args = ['import', file, '--token', TOKEN, '--api-host', receiver.origin, '--json']

  const first = await runCli(args)
  assert.equal(first.code, 0, first.stderr)
  const summary = JSON.parse(first.stdout)
  assert.equal(summary.sent, 200_000)
  assert.equal(summary.failed, 0)
  assert.equal(summary.complete, true)
  const delivered = receiver.delivered('/import')
  assert.equal(delivered.length, 200_000, 'no event was sent twice')
  const ids = receiver.uniqueInsertIds()
  assert.equal(ids.size, 200_000)
  const seqs = new Set(delivered.map((r) => props(r).seq))
  assert.equal(seqs.size, 200_000)
  const sample = delivered.find((r) => props(r).seq === 12_345)!
  assert.equal(sample.event, 'Page viewed')
  assert.equal(props(sample).distinct_id, `u${12_345 % 97}`)
  assert.equal(props(sample).time, (1_700_000_000 + 12_345) * 1000)
  assert.equal(props(sample).token, TOKEN)
  assert.match(props(sample).$insert_id as string, /^[A-Za-z0-9-]{36}$/)
  assert.equal(receiver.requests.length, 100)
  for (const request of receiver.requests) {
    assert.equal(request.path, '/import')
    assert.equal(request.query.get('strict'), '1')
    assert.equal(request.headers['content-encoding'], 'gzip')
    assert.equal(request.headers.authorization, `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}`)
    assert.equal(request.records.length, 2000)
  }
  const checkpoint = JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'))
  assert.equal(checkpoint.complete, true)
  assert.equal(checkpoint.records, 200_000)
  assert.equal(existsSync(`${file}.failed.ndjson`), false)

  receiver.reset()
  const again = await runCli(args)
  assert.equal(again.code, 0, again.stderr)
  assert.equal(JSON.parse(again.stdout).alreadyComplete, true)
  assert.equal(receiver.requests.length, 0)

  const restart = await runCli([...args, '--restart'])
  assert.equal(restart.code, 0, restart.stderr)
  assert.equal(JSON.parse(restart.stdout).sent, 200_000)
  const resent = receiver.uniqueInsertIds()
  assert.equal(resent.size, 200_000)
  for (const id of resent) assert.ok(ids.has(id), `re-import created a new $insert_id ${id}`)
})

test('a CSV with a bad row: the row goes to .failed.ndjson with its reason, the rest is imported', async () => {
  const dir = tempDir()
  const file = join(dir, 'signups.csv')
  writeFileSync(
    file,
    [
      'event,distinct_id,time,plan,note',
      'Signed up,u1,1700000000,pro,"likes ""quotes"", commas"',
      'Signed up,u2,yesterday,free,bad time',
      'Signed up,u3,1700000002000,free,"two',
      'lines"',
      'Signed up,u4,1700000003,pro',
      'Signed up,u5,2023-11-14T22:13:20,team,',
      '',
    ].join('\r\n'),
  )
  const receiver = closeAfter(await startTestReceiver())
  const run = await runCli(['import', file, '--token', TOKEN, '--api-host', receiver.origin, '--no-progress'])
  assert.equal(run.code, 1, 'a failed record makes the exit code non-zero')
  assert.match(run.stdout, /imported 3 events .* 2 failed \(see .*signups\.csv\.failed\.ndjson\)/)
  const failed = readFileSync(`${file}.failed.ndjson`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.deepEqual(
    failed.map((f) => [f.line, f.source, f.field, f.reason]),
    [
      [3, 'client', 'time', 'cannot read "yesterday" as a time'],
      [6, 'client', undefined, 'expected 5 fields (as in the header), found 4'],
    ],
  )
  assert.equal(failed[0].record.distinct_id, 'u2')

  // Run again: nothing to send, but the two refused records are still not imported.
  const again = await runCli([
    'import',
    file,
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--no-progress',
  ])
  assert.equal(again.code, 1, 'refused records of an earlier run keep the exit code non-zero')
  assert.match(again.stdout, /was already imported/)
  assert.match(
    again.stderr,
    /not imported: 2 refused records of .*signups\.csv \(listed in .*signups\.csv\.failed\.ndjson\)/,
  )
  const byUser = new Map(receiver.delivered('/import').map((r) => [props(r).distinct_id, props(r)]))
  assert.deepEqual([...byUser.keys()].sort(), ['u1', 'u3', 'u5'])
  assert.equal(byUser.get('u1')!.note, 'likes "quotes", commas')
  assert.equal(byUser.get('u1')!.time, 1_700_000_000_000)
  assert.equal(byUser.get('u3')!.note, 'two\r\nlines')
  assert.equal(byUser.get('u5')!.time, Date.UTC(2023, 10, 14, 22, 13, 20))
  assert.equal('note' in byUser.get('u5')!, false, 'an empty CSV cell is no property')
})

test('records refused by /import strict mode are written with the server reason; retries 429 and 503', async () => {
  const file = join(tempDir(), 'events.json.gz')
  const events = Array.from({ length: 30 }, (_, i) => ({
    event: 'Bought',
    properties: { distinct_id: `u${i}`, time: 1_700_000_000 + i, amount: i },
  }))
  writeFileSync(file, gzipSync(JSON.stringify(events, null, 2)))
  const receiver = closeAfter(
    await startTestReceiver((request, index) => {
      if (index === 0) return { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } }
      if (index === 1) return { status: 503, headers: { 'retry-after': '0' } }
      const bad = request.records.findIndex((r) => (r.properties as JsonObject).amount === 7)
      if (bad === -1) return undefined
      return {
        status: 400,
        body: {
          code: 400,
          status: 'Bad Request',
          num_records_imported: request.records.length - 1,
          failed_records: [
            {
              index: bad,
              $insert_id: (request.records[bad]!.properties as JsonObject).$insert_id,
              field: 'properties.amount',
              message: "'amount' is not allowed",
            },
          ],
        },
      }
    }),
  )
  const run = await runCli([
    'import',
    file,
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--batch-size',
    '10',
    '--concurrency',
    '1',
    '--json',
  ])
  assert.equal(run.code, 1)
  const summary = JSON.parse(run.stdout)
  assert.equal(summary.format, 'json')
  assert.equal(summary.sent, 29)
  assert.equal(summary.failed, 1)
  assert.equal(summary.retries, 2)
  assert.equal(summary.complete, true)
  const [line] = readFileSync(`${file}.failed.ndjson`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.equal(line.source, 'server')
  assert.equal(line.field, 'properties.amount')
  assert.equal(line.reason, "'amount' is not allowed")
  assert.equal(line.record.properties.amount, 7)
  assert.equal('token' in line.record.properties, false, 'the project token is not copied into the file')
  assert.equal(line.line, 2 + 7 * 8, 'the line where the element starts in the pretty-printed array')
})

test('field mapping, --property-prefix, millisecond times and the tracking plan', async () => {
  const dir = tempDir()
  const file = join(dir, 'export.ndjson')
  const rows = [
    { name: 'Signed up', user: 'a1', ts: 1_700_000_000_123, p_plan: 'pro', internal: 'x' },
    { name: 'Signed up', user: 'a2', ts: 1_700_000_001_000, p_plan: 'enterprise' },
    { name: 'Unplanned', user: 'a3', ts: 1_700_000_002_000, p_plan: 'free' },
  ]
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'))
  const plan = join(dir, 'plan.json')
  writeFileSync(
    plan,
    JSON.stringify({
      version: '1.0.0',
      events: {
        signedUp: {
          name: 'Signed up',
          properties: { plan: { type: 'string', enum: ['free', 'pro'] } },
          required: ['plan'],
        },
      },
    }),
  )
  const receiver = closeAfter(await startTestReceiver())
  const base = ['import', file, '--token', TOKEN, '--api-host', receiver.origin, '--no-progress']
  const mapping = [
    '--event-field',
    'name',
    '--distinct-id-field',
    'user',
    '--time-field',
    'ts',
    '--property-prefix',
    'p_',
  ]
  const dry = await runCli([...base, ...mapping, '--plan', plan, '--dry-run'])
  assert.equal(dry.code, 1)
  assert.match(dry.stdout, /dry run: read 3 records .*: 1 valid, 2 would be refused; nothing sent/)
  assert.equal(receiver.requests.length, 0)
  assert.equal(existsSync(`${file}.failed.ndjson`), false, 'a dry run writes no files')
  assert.equal(existsSync(`${file}.checkpoint.json`), false)

  const run = await runCli([...base, ...mapping, '--plan', plan])
  assert.equal(run.code, 1)
  const [sent] = receiver.delivered('/import')
  assert.deepEqual(
    { event: sent!.event, id: props(sent!).distinct_id, time: props(sent!).time, plan: props(sent!).plan },
    { event: 'Signed up', id: 'a1', time: 1_700_000_000_123, plan: 'pro' },
  )
  assert.equal('internal' in props(sent!), false)
  const failed = readFileSync(`${file}.failed.ndjson`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
  assert.deepEqual(
    failed.map((f) => f.line),
    [2, 3],
  )
  assert.match(failed[0].reason, /^tracking plan \(reject\): properties\.plan/)
  assert.match(failed[1].reason, /^tracking plan \(reject\): event: .*Unplanned/)
})

test('progress: plain periodic lines when not on a TTY, a cli-progress bar with rate and ETA on a TTY', async () => {
  const file = join(tempDir(), 'events.ndjson')
  writeEvents(file, 12_000)
  const receiver = closeAfter(await startTestReceiver(() => ({ status: 200, delayMs: 40 })))
  const args = [
    'import',
    file,
    '--token',
    TOKEN,
    '--api-host',
    receiver.origin,
    '--batch-size',
    '500',
    '--concurrency',
    '1',
    '--restart',
  ]
  const plain = await runCli(args, { progressIntervalMs: 50 })
  assert.equal(plain.code, 0, plain.stderr)
  assert.match(plain.stderr, /^import: \d+% [\d,]+ events \([\d,]+\/s\)/m)
  assert.equal(plain.stderr.includes('\x1b['), false, 'no terminal escapes in plain lines')

  const tty = await runCli(args, { tty: true })
  assert.equal(tty.code, 0, tty.stderr)
  assert.match(tty.stderr, /import \[[█░]+\] 100% \| 12,000 events \| [\d,]+\/s \| 0 failed \| ETA 0s/)
})

test('the last progress report agrees with the result, batches in flight at the end of the file included', async () => {
  const file = join(tempDir(), 'events.ndjson')
  writeEvents(file, 6_000)
  const receiver = closeAfter(await startTestReceiver(() => ({ status: 200, delayMs: 30 })))
  const reports: ImportProgress[] = []
  const result = await importFile(file, {
    token: TOKEN,
    apiHost: receiver.origin,
    batchSize: 500,
    concurrency: 4,
    onProgress: (p) => reports.push(p),
  })
  assert.equal(result.sent, 6_000)
  const last = reports.at(-1)!
  assert.deepEqual(
    [last.records, last.sent, last.failed, last.requests],
    [result.records, result.sent, result.failed, result.requests],
  )
  assert.equal(last.fileBytes, last.sizeBytes)
  assert.ok(
    reports.some((p) => p.sent < result.sent),
    'reports were made while batches were still in flight',
  )
})
