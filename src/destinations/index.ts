export type { ServiceAccount } from '../internal/index.js'
export {
  type BatchOutcome,
  classifyStatus,
  type Destination,
  type RequestFraming,
  rejectedOutcome,
  requestBytes,
  uniformOutcome,
} from './destination.js'
export {
  HTTP_DESTINATION_DEFAULTS,
  HttpDestination,
  type HttpDestinationOptions,
  http,
} from './http/http-destination.js'
export {
  JSON_ARRAY_FRAMING,
  MIXPANEL_DESTINATION_DEFAULTS,
  MIXPANEL_DESTINATION_OPTIONS,
  MIXPANEL_MAX_BATCH,
  MIXPANEL_MAX_REQUEST_BYTES,
  MixpanelDestination,
  type MixpanelDestinationOptions,
} from './mixpanel/mixpanel-destination.js'
export {
  addContexts,
  addField,
  addJson,
  checkSelfDescribing,
  eventIdFor,
  SCHEMAS,
  type SelfDescribingJson,
  type SnowplowPayload,
  TRACKER_VERSION,
} from './snowplow/payload.js'
export {
  SNOWPLOW_DESTINATION_DEFAULTS,
  SNOWPLOW_DESTINATION_OPTIONS,
  SNOWPLOW_NO_RETRY,
  SnowplowDestination,
  type SnowplowDestinationOptions,
  snowplow,
} from './snowplow/snowplow-destination.js'
