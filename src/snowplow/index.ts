export { AsyncEmitter, Emitter, type EmitterOptions } from './emitter.js'
export { mixpanelToSnowplow } from './from-mixpanel.js'
export {
  base64Url,
  decodeBase64,
  eventIdFor,
  SCHEMAS,
  type SelfDescribingJson,
  type SnowplowPayload,
  TRACKER_VERSION,
} from './payload.js'
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
