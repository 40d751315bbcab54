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
