/**
 * `eventwire/snowplow`: Snowplow's `Emitter`, `AsyncEmitter` and `Tracker` on eventwire's delivery
 * engine, and the Snowplow destination for any consumer.
 */
export { AsyncEmitter, Emitter, type EmitterOptions } from './emitter.js'
export { SCHEMAS, type SelfDescribingJson, type SnowplowPayload, TRACKER_VERSION } from './payload.js'
export {
  SNOWPLOW_NO_RETRY,
  SnowplowDestination,
  type SnowplowDestinationOptions,
  snowplow,
} from './snowplow-destination.js'
export {
  type CommonEventOptions,
  type EmitterLike,
  type Subject,
  Tracker,
  type TrackerOptions,
} from './tracker.js'
