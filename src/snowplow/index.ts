/**
 * `eventwire/snowplow`: Snowplow's `Emitter`, `AsyncEmitter` and `Tracker` on eventwire's delivery
 * engine, and the Snowplow destination for any consumer (which lives with the other destinations).
 */
export {
  SCHEMAS,
  type SelfDescribingJson,
  SNOWPLOW_NO_RETRY,
  SnowplowDestination,
  type SnowplowDestinationOptions,
  type SnowplowPayload,
  snowplow,
  TRACKER_VERSION,
} from '../destinations/index.js'
export { AsyncEmitter, Emitter, type EmitterOptions } from './emitter.js'
export {
  type CommonEventOptions,
  type EmitterLike,
  type Subject,
  Tracker,
  type TrackerOptions,
} from './tracker.js'
