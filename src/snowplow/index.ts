export {
  ASYNC_EMITTER_OPTIONS,
  AsyncEmitter,
  EMITTER_OPTIONS,
  Emitter,
  type EmitterOptions,
} from './emitter.js'
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
  SNOWPLOW_DESTINATION_OPTIONS,
  SNOWPLOW_NO_RETRY,
  SnowplowDestination,
  type SnowplowDestinationOptions,
  snowplow,
} from './snowplow-destination.js'
export {
  type CommonEventOptions,
  type EmitterLike,
  SUBJECT_FIELDS,
  type Subject,
  TRACKER_OPTIONS,
  Tracker,
  type TrackerOptions,
} from './tracker.js'
