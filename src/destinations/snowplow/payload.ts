import { createHash, randomUUID } from 'node:crypto'
import { ValidationError } from '../../errors/index.js'
import { LIB_VERSION } from '../../internal/index.js'

/** One Snowplow event as sent: every value a string (payload_data 1-0-4). */
export type SnowplowPayload = Record<string, string>

/** A self-describing JSON: `{ schema: 'iglu:vendor/name/jsonschema/1-0-0', data }`. */
export interface SelfDescribingJson<T = Record<string, unknown>> {
  schema: string
  data: T
}

/** Iglu URIs of the envelopes eventwire writes. */
export const SCHEMAS = {
  payloadData: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
  unstructEvent: 'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
  contexts: 'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
} as const

/** `tv`: the tracker version sent with every event. */
export const TRACKER_VERSION = `eventwire-${LIB_VERSION}`

const IGLU_URI = /^iglu:[a-zA-Z0-9-_.]+\/[a-zA-Z0-9-_]+\/[a-zA-Z0-9-_]+\/[0-9]+-[0-9]+-[0-9]+$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Checks a self-describing JSON's shape; throws `ValidationError` naming `path`. */
export function checkSelfDescribing(value: unknown, path: string): SelfDescribingJson {
  const sdj = value as SelfDescribingJson | undefined
  if (
    typeof sdj !== 'object' ||
    sdj === null ||
    typeof sdj.schema !== 'string' ||
    !IGLU_URI.test(sdj.schema)
  ) {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      'expected { schema: "iglu:vendor/name/jsonschema/M-R-A", data }',
      path,
    )
  }
  if (typeof sdj.data !== 'object' || sdj.data === null) {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      'data must be an object or a list',
      `${path}.data`,
    )
  }
  return sdj
}

/** URL-safe base64 without padding, as the JavaScript trackers write `ue_px` and `cx`. */
export function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url')
}

/** Decodes URL-safe or standard base64, padded or not. */
export function decodeBase64(text: string): string {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')
}

/** Adds a JSON value under `plainKey` (`ue_pr`, `co`) or base64-encoded under `encodedKey` (`ue_px`, `cx`). */
export function addJson(
  payload: SnowplowPayload,
  value: unknown,
  encode: boolean,
  plainKey: string,
  encodedKey: string,
): void {
  const json = JSON.stringify(value)
  if (encode) payload[encodedKey] = base64Url(json)
  else payload[plainKey] = json
}

/** Adds entities as a `contexts` envelope (`cx`/`co`), if any. */
export function addContexts(
  payload: SnowplowPayload,
  contexts: readonly SelfDescribingJson[] | undefined,
  encode: boolean,
): void {
  if (contexts === undefined || contexts.length === 0) return
  for (const [i, c] of contexts.entries()) checkSelfDescribing(c, `context[${i}]`)
  addJson(payload, { schema: SCHEMAS.contexts, data: contexts }, encode, 'co', 'cx')
}

/** Sets `key` to the string form of `value`, skipping undefined, null and empty strings (as the trackers do). */
export function addField(payload: SnowplowPayload, key: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return
  payload[key] = typeof value === 'string' ? value : String(value)
}

/** A UUID `eid` for a message id: the id itself when it is a UUID, otherwise a stable UUID derived from it. */
export function eventIdFor(id: string | undefined): string {
  if (id === undefined) return randomUUID()
  if (UUID.test(id)) return id.toLowerCase()
  const hex = createHash('sha1').update(`eventwire:${id}`).digest('hex')
  // RFC 4122 name-based layout (version 5, variant 10).
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
