export { checkClientOptions, MIXPANEL_OPTIONS, type MixpanelOptions } from './client-options.js'
export { checkDistinctId, FORBIDDEN_DISTINCT_IDS, looksLikeEmail } from './identity.js'
export {
  type ClientWarning,
  MessageBuilder,
  PROFILE_MODIFIERS,
  type ProfileModifiers,
} from './message-builder.js'
export { type EventMap, type ImportEvent, Mixpanel, type Properties } from './mixpanel.js'
export { Groups, People, type ProfileProperties } from './people.js'
export { LIMITS, sanitizeProperties, toEpochMs } from './serialize.js'
