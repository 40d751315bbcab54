import {
  addField,
  addJson,
  eventIdFor,
  SCHEMAS,
  type SnowplowPayload,
  TRACKER_VERSION,
} from '../destinations/index.js'
import { ValidationError } from '../errors/index.js'
import { createMessage, type JsonObject, type Message } from '../message/index.js'

/** How Mixpanel-style events become Snowplow self-describing events. */
export interface MixpanelMapping {
  /** Schema URI for an event name: one URI for all, or a function (e.g. reading your tracking plan). */
  eventSchema: string | ((event: string) => string | undefined) | undefined
  encodeBase64: boolean
  appId: string | undefined
  namespace: string | undefined
}

/** Properties eventwire's client adds that map to Snowplow fields instead of event data. */
const RESERVED = new Set(['token', 'distinct_id', 'time', '$insert_id', 'mp_lib', '$lib_version', 'ip'])

/**
 * Turns a message built by the `Mixpanel` client (`{ event, properties }`) into a Snowplow
 * self-describing event message: `eid` derived from `$insert_id` (stable across retries), `dtm` from
 * `time`, `uid` from `distinct_id`, `ip` from `ip`, and the other properties as the event's data.
 * Throws `ValidationError` when no schema is known for the event.
 */
export function mixpanelToSnowplow(message: Message, mapping: MixpanelMapping): Message {
  const name = message.body.event
  const properties = (message.body.properties ?? {}) as JsonObject
  if (typeof name !== 'string') {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      'expected a Mixpanel event { event, properties }',
      'event',
    )
  }
  const schema = typeof mapping.eventSchema === 'function' ? mapping.eventSchema(name) : mapping.eventSchema
  if (schema === undefined) {
    throw new ValidationError(
      'EVENTWIRE_SNOWPLOW_NO_SCHEMA',
      `no Snowplow schema for event ${JSON.stringify(name)}: set the emitter's eventSchema option`,
      'event',
    )
  }
  const data: JsonObject = {}
  for (const key in properties) if (!RESERVED.has(key)) data[key] = properties[key]!
  const eid = eventIdFor(message.id)
  const payload: SnowplowPayload = { e: 'ue', eid, tv: TRACKER_VERSION, p: 'srv' }
  addField(payload, 'tna', mapping.namespace)
  addField(payload, 'aid', mapping.appId)
  addField(payload, 'dtm', typeof properties.time === 'number' ? properties.time : message.createdAt)
  addField(payload, 'uid', properties.distinct_id)
  addField(payload, 'ip', typeof properties.ip === 'string' ? properties.ip : undefined)
  addJson(
    payload,
    { schema: SCHEMAS.unstructEvent, data: { schema, data } },
    mapping.encodeBase64,
    'ue_pr',
    'ue_px',
  )
  return createMessage('events', eid, payload, message.createdAt)
}
