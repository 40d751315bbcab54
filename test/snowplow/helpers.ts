import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { decodeBase64 } from '../../src/destinations/snowplow/payload.js'
import type { ReceivedRequest } from '../../src/testing/index.js'

const schema = JSON.parse(
  readFileSync(new URL('../../src/collector/payload-data-1-0-4.json', import.meta.url), 'utf8'),
)
delete schema.$schema
delete schema.self
const ajv = new Ajv({ strict: false, allErrors: true })
const validatePayloadData = ajv.compile(schema)
const IGLU = /^iglu:[a-zA-Z0-9-_.]+\/[a-zA-Z0-9-_]+\/[a-zA-Z0-9-_]+\/[0-9]+-[0-9]+-[0-9]+$/

/** The Snowplow events one request carried: POST envelope items, or a GET's query parameters. */
export function eventsOf(request: ReceivedRequest): Array<Record<string, string>> {
  if (request.method === 'GET') {
    assert.equal(request.path, '/i')
    return [Object.fromEntries(request.query)]
  }
  assert.equal(request.path, '/com.snowplowanalytics.snowplow/tp2')
  const envelope = request.records[0] as { schema: string; data: Array<Record<string, string>> }
  assert.equal(envelope.schema, 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4')
  return envelope.data
}

/** Asserts that events validate against payload_data 1-0-4 and that their JSON fields decode. */
export function assertValidPayloads(events: Array<Record<string, string>>): void {
  assert.ok(validatePayloadData(events), JSON.stringify(validatePayloadData.errors))
  for (const event of events) {
    if (event.e === 'ue') {
      const outer = unstruct(event)
      assert.equal(outer.schema, 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0')
      assert.match(outer.data.schema, IGLU)
      assert.equal(typeof outer.data.data, 'object')
    }
    const contexts = contextsOf(event)
    if (contexts !== undefined) {
      assert.match(contexts.schema, /^iglu:com\.snowplowanalytics\.snowplow\/contexts\/jsonschema\/1-0-[01]$/)
      for (const entity of contexts.data) assert.match(entity.schema, IGLU)
    }
  }
}

/** The decoded unstruct_event envelope of a `ue` event. */
export function unstruct(event: Record<string, string>): {
  schema: string
  data: { schema: string; data: Record<string, unknown> }
} {
  const json = event.ue_px !== undefined ? decodeBase64(event.ue_px) : event.ue_pr
  assert.ok(json !== undefined, 'a self-describing event carries ue_px or ue_pr')
  return JSON.parse(json)
}

/** The decoded contexts envelope, if any. */
export function contextsOf(
  event: Record<string, string>,
): { schema: string; data: Array<{ schema: string; data: unknown }> } | undefined {
  const json = event.cx !== undefined ? decodeBase64(event.cx) : event.co
  return json === undefined ? undefined : JSON.parse(json)
}
