export { checkClientOptions, MIXPANEL_OPTIONS, type MixpanelOptions } from './client-options.js'
export { toEpochMs } from './dates.js'
export { checkDistinctId, FORBIDDEN_DISTINCT_IDS, looksLikeEmail } from './identity.js'
export { LIMITS } from './limits.js'
export {
  type ClientWarning,
  MessageBuilder,
  PROFILE_MODIFIERS,
  type ProfileModifiers,
} from './message-builder.js'
export { type EventMap, type ImportEvent, Mixpanel, type Properties } from './mixpanel.js'
export { Groups, People, type ProfileProperties } from './people.js'
export { sanitizeProperties } from './property-walk.js'
