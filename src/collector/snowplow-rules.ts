import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import type { JsonObject, JsonValue } from '../message/index.js'
import { IGLU_URI } from './iglu-registry.js'
import { limitDepth, MAX_JSON_DEPTH } from './json-depth.js'
import { decodeBase64 } from './mixpanel-decode.js'
import { isObject } from './mixpanel-rules.js'
import payloadDataSchema from './payload-data-1-0-4.json' with { type: 'json' }
import { type CollectorIssue, type NewItem, newItem } from './types.js'

/** The self-describing schema URI prefix of Snowplow's tp2 envelope. */
export const PAYLOAD_DATA_PREFIX = 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const EVENT_NAMES: Readonly<Record<string, string>> = {
  pv: 'page_view',
  pp: 'page_ping',
  se: 'struct',
  tr: 'transaction',
  ti: 'transaction_item',
  ue: 'unstruct',
}

let validatePayload: ValidateFunction | undefined

/**
 * The compiled `items` schema of payload_data 1-0-4 (Iglu's `$schema` and `self` are not JSON
 * Schema keywords).
 */
function payloadValidator(): ValidateFunction {
  if (validatePayload === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false })
    validatePayload = ajv.compile(payloadDataSchema.items)
  }
  return validatePayload
}

/**
 * Checks one Snowplow payload (one event of a tp2 body, or the query of `GET /i`) against
 * payload_data 1-0-4, decodes `ue_px`/`ue_pr` and `cx`/`co`, and returns it as an item named after
 * its event type (self-describing events after their schema name).
 */
export function checkSnowplowPayload(
  received: unknown,
  endpoint: string,
): NewItem & { unstruct?: SelfDescribing } {
  const issues: CollectorIssue[] = []
  const add = (code: string, path: string, message: string) =>
    issues.push({ code, path, message, source: 'snowplow' })
  const limited = limitDepth(received)
  const payload = limited.value
  if (limited.tooDeep) add('too_deep_json', '', TOO_DEEP)
  const item: NewItem & { unstruct?: SelfDescribing } = newItem(
    'snowplow',
    endpoint,
    'event',
    payload as JsonValue,
    issues,
  )
  const validate = payloadValidator()
  if (!validate(payload)) {
    for (const error of validate.errors ?? []) add('schema_violation', pathOf(error), messageOf(error))
  }
  if (!isObject(payload)) {
    item.accepted = false
    return item
  }
  const text = (key: string): string | undefined => {
    const v = payload[key]
    return typeof v === 'string' && v !== '' ? v : undefined
  }
  const e = text('e')
  item.name = e === undefined ? null : (EVENT_NAMES[e] ?? e)
  item.distinctId = text('uid') ?? text('duid') ?? text('tnuid') ?? text('nuid') ?? null
  const eid = text('eid')
  if (eid !== undefined) {
    if (UUID.test(eid)) item.insertId = eid
    else add('invalid_eid', 'eid', 'eid must be a UUID')
  }
  const time = Number(text('ttm') ?? text('dtm'))
  if (Number.isFinite(time) && time > 0) item.time = time

  const decoded: JsonObject = {}
  const unstruct = decodeJsonField(payload, 'ue_px', 'ue_pr', add)
  if (unstruct !== undefined) {
    decoded.unstruct = unstruct
    const inner = isObject(unstruct) ? unstruct.data : undefined
    const uri = isObject(unstruct) ? unstruct.schema : undefined
    if (typeof uri !== 'string' || !IGLU_URI.test(uri) || !isObject(inner) || !isSelfDescribing(inner)) {
      add(
        'invalid_unstruct_event',
        'decoded.unstruct',
        'expected {schema: iglu:…/unstruct_event/…, data: {schema, data}}',
      )
    } else {
      item.unstruct = inner
      item.name = IGLU_URI.exec(inner.schema)![2]!
    }
  } else if (e === 'ue') {
    add('missing_unstruct_event', 'ue_px', 'a self-describing event (e=ue) needs ue_px or ue_pr')
  }
  const contexts = decodeJsonField(payload, 'cx', 'co', add)
  if (contexts !== undefined) {
    decoded.contexts = contexts
    const list = isObject(contexts) ? contexts.data : undefined
    if (!Array.isArray(list) || !list.every((c) => isObject(c) && isSelfDescribing(c))) {
      add(
        'invalid_contexts',
        'decoded.contexts',
        'expected {schema: iglu:…/contexts/…, data: [{schema, data}, …]}',
      )
    }
  }
  if (e === 'se' && (text('se_ca') === undefined || text('se_ac') === undefined)) {
    add('missing_structured_fields', 'se_ca', 'a structured event (e=se) needs se_ca and se_ac')
  }
  if (e === 'se' && text('se_ac') !== undefined) item.name = text('se_ac')!
  if (Object.keys(decoded).length > 0) item.decoded = decoded
  item.accepted = issues.length === 0
  return item
}

/** A self-describing JSON: `{ schema: "iglu:…", data }`. */
export interface SelfDescribing {
  schema: string
  data: JsonValue
}

function isSelfDescribing(value: JsonObject): value is JsonObject & SelfDescribing {
  return typeof value.schema === 'string' && IGLU_URI.test(value.schema) && 'data' in value
}

/** Reads `<base64Key>` (URL-safe base64 JSON) or `<plainKey>` (JSON text); undefined when absent. */
function decodeJsonField(
  payload: JsonObject,
  base64Key: string,
  plainKey: string,
  add: (code: string, path: string, message: string) => void,
): JsonValue | undefined {
  const encoded = payload[base64Key]
  const plain = payload[plainKey]
  const key = typeof encoded === 'string' ? base64Key : typeof plain === 'string' ? plainKey : undefined
  if (key === undefined) return undefined
  const text = key === base64Key ? decodeBase64(encoded as string) : (plain as string)
  if (text === undefined) {
    add(`invalid_${key}`, key, `${key} is not valid base64`)
    return undefined
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    add(`invalid_${key}`, key, `${key} does not hold JSON`)
    return undefined
  }
  const limited = limitDepth(parsed)
  if (limited.tooDeep) add('too_deep_json', key, TOO_DEEP)
  return limited.value
}

const TOO_DEEP = `nested deeper than the collector's limit of ${MAX_JSON_DEPTH} levels; deeper parts are not kept`

function pathOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '').replace(/\//g, '.')
  const extra = error.params as { additionalProperty?: string; missingProperty?: string }
  const name = extra.additionalProperty ?? extra.missingProperty
  return name === undefined ? base : base === '' ? name : `${base}.${name}`
}

function messageOf(error: ErrorObject): string {
  const extra = error.params as { additionalProperty?: string }
  if (extra.additionalProperty !== undefined) {
    return `${JSON.stringify(extra.additionalProperty)} is not a payload_data field`
  }
  return `${error.instancePath ? error.instancePath.slice(1) : 'payload'} ${error.message ?? 'is invalid'}`
}
