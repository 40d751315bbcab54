export type { ServiceAccount } from '../internal/index.js'
export {
  type BatchOutcome,
  classifyStatus,
  type Destination,
  rejectedOutcome,
  uniformOutcome,
} from './destination.js'
export {
  MIXPANEL_MAX_BATCH,
  MIXPANEL_MAX_REQUEST_BYTES,
  MixpanelDestination,
  type MixpanelDestinationOptions,
} from './mixpanel/mixpanel-destination.js'
