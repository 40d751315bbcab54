import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startCollector } from '../../src/collector/index.js'
import { Emitter } from '../../src/snowplow/index.js'
import { postJson, start, tempDir } from './helpers.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

function igluFolder(): string {
  const dir = tempDir()
  const folder = join(dir, 'iglu', 'com.acme', 'checkout_started', 'jsonschema')
  mkdirSync(folder, { recursive: true })
  writeFileSync(
    join(folder, '1-0-0'),
    JSON.stringify({
      $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#',
      self: { vendor: 'com.acme', name: 'checkout_started', format: 'jsonschema', version: '1-0-0' },
      type: 'object',
      properties: { cartId: { type: 'string', maxLength: 8 }, items: { type: 'integer', minimum: 1 } },
      required: ['cartId'],
      additionalProperties: false,
    }),
  )
  const store = join(dir, 'iglu', 'com.acme', 'store', 'jsonschema')
  mkdirSync(store, { recursive: true })
  writeFileSync(
    join(store, '1-0-0'),
    JSON.stringify({
      self: { vendor: 'com.acme', name: 'store', format: 'jsonschema', version: '1-0-0' },
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
    }),
  )
  return join(dir, 'iglu')
}

test('--iglu: Snowplow events and entities that break their schema, or name an unknown one, land in bad', async () => {
  const collector = await start({ iglu: igluFolder() })
  const emitter = new Emitter({ endpoint: collector.url, batchSize: 10, flushIntervalMs: 0 })
  const { Tracker } = await import('../../src/snowplow/index.js')
  const tracker = new Tracker({ namespace: 't', appId: 'shop', emitters: [emitter] })
  const event = (
    data: Record<string, unknown>,
    context?: Array<{ schema: string; data: Record<string, unknown> }>,
  ) =>
    tracker.trackSelfDescribingEvent({
      event: { schema: 'iglu:com.acme/checkout_started/jsonschema/1-0-0', data },
      ...(context ? { context } : {}),
    })
  await event({ cartId: 'c-1', items: 2 }, [
    { schema: 'iglu:com.acme/store/jsonschema/1-0-0', data: { id: 'b-1' } },
  ])
  await event({ cartId: 'c-too-long-for-it', items: 0, coupon: 'X' })
  await event({ cartId: 'c-2' }, [{ schema: 'iglu:com.acme/store/jsonschema/1-0-0', data: {} }])
  await tracker.trackSelfDescribingEvent({
    event: { schema: 'iglu:com.acme/unknown_thing/jsonschema/1-0-0', data: {} },
  })
  await tracker.flush()
  await emitter.close()

  const items = collector.events({ source: 'snowplow', order: 'asc' })
  assert.equal(items.length, 4)
  assert.deepEqual(
    items.map((i) => [i.valid, i.accepted]),
    [
      [true, true],
      [false, false],
      [false, false],
      [false, false],
    ],
  )
  assert.deepEqual(items[1]!.issues.map((i) => [i.source, i.code, i.path]).sort(), [
    ['iglu', 'iglu_invalid_data', 'decoded.unstruct.data.data.cartId'],
    ['iglu', 'iglu_invalid_data', 'decoded.unstruct.data.data.coupon'],
    ['iglu', 'iglu_invalid_data', 'decoded.unstruct.data.data.items'],
  ])
  assert.match(
    items[1]!.issues.find((i) => i.path.endsWith('cartId'))!.message,
    /must NOT have more than 8 characters/,
  )
  assert.deepEqual(
    items[2]!.issues.map((i) => [i.code, i.path]),
    [['iglu_invalid_data', 'decoded.contexts.data[0].data.id']],
  )
  assert.deepEqual(
    items[3]!.issues.map((i) => [i.code, i.path]),
    [['iglu_schema_not_found', 'decoded.unstruct.data.schema']],
  )
  assert.equal(collector.events({ verdict: 'refused', source: 'snowplow' }).length, 3)
  assert.equal(collector.events({ issue: 'iglu_schema_not_found' }).length, 1)
})

test('a broken Iglu folder fails at start naming the file', async () => {
  const dir = igluFolder()
  writeFileSync(
    join(dir, 'com.acme', 'store', 'jsonschema', '1-0-1'),
    '{"self": {"vendor": "com.acme", "name": "store", "format": "jsonschema", "version": "1-0-0"}}',
  )
  await assert.rejects(
    startCollector({ port: 0, db: ':memory:', iglu: dir }),
    (error: Error & { code?: string }) =>
      error.code === 'EVENTWIRE_COLLECTOR_IGLU_INVALID' && /store\/jsonschema\/1-0-1/.test(error.message),
  )
  await assert.rejects(
    startCollector({ port: 0, db: ':memory:', iglu: join(dir, 'nope') }),
    (error: Error & { code?: string }) => error.code === 'EVENTWIRE_COLLECTOR_IGLU_INVALID',
  )
})

test("the Iglu folder exported from the sample plan validates the demo's Snowplow events", async () => {
  const data = tempDir()
  const demo = spawn(process.execPath, ['--import', 'tsx', 'examples/demo.ts', '--once', '--data', data], {
    cwd: ROOT,
  })
  let out = ''
  demo.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  demo.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  const [code] = await once(demo, 'exit')
  assert.equal(code, 0, out)
  // The demo's collector is gone; its database is read back by a collector of our own.
  const collector = await start({ db: join(data, 'demo.db'), iglu: join(data, 'demo-iglu') })
  const snowplow = collector.events({ source: 'snowplow', limit: 10_000 })
  const planned = snowplow.filter((e) => e.name === 'user_signs_up' || e.name === 'order_completed')
  assert.ok(planned.filter((e) => e.name === 'user_signs_up').length > 5, out)
  assert.ok(
    planned.some((e) => e.name === 'order_completed'),
    out,
  )
  for (const event of planned) assert.deepEqual(event.issues, [], JSON.stringify(event.issues))
  // Events the plan does not have name schemas the folder does not have, and only those fail.
  for (const event of snowplow.filter((e) => !planned.includes(e))) {
    assert.deepEqual(
      event.issues.filter((i) => i.source === 'iglu').map((i) => i.code),
      ['iglu_schema_not_found'],
    )
  }
  // a Snowplow event that breaks the exported schema lands in bad with the schema error
  const res = await postJson(`${collector.url}/com.snowplowanalytics.snowplow/tp2`, {
    schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
    data: [
      {
        e: 'ue',
        p: 'srv',
        tv: 'node-1',
        ue_pr: JSON.stringify({
          schema: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
          data: {
            schema: 'iglu:com.acme/user_signs_up/jsonschema/1-0-0',
            data: { platform: 'server', signup_method: 'fax', plan: 'pro', marketing_opt_in: true },
          },
        }),
      },
    ],
  })
  assert.equal(res.status, 200)
  const [bad] = collector.events({ limit: 1 })
  assert.equal(bad!.accepted, false)
  assert.deepEqual(
    bad!.issues.filter((i) => i.source === 'iglu').map((i) => [i.code, i.path]),
    [['iglu_invalid_data', 'decoded.unstruct.data.data.signup_method']],
  )
  assert.match(bad!.issues[0]!.message, /must be equal to one of the allowed values/)
})
