export {
  type FlagDefinition,
  type FlagDefinitions,
  type FlagRollout,
  type FlagRuleset,
  type FlagVariant,
  type ParsedDefinitions,
  parseDefinitions,
} from './definitions.js'
export { EXPOSURE_EVENT } from './exposure.js'
export { EXPOSURE_DEFAULTS, EXPOSURE_OPTIONS, type ExposureOptions } from './exposure-options.js'
export { FLAGS_CONNECTION_OPTIONS, type FlagsConnectionOptions } from './flags-http.js'
export { normalizedHash } from './hash.js'
export {
  LOCAL_FLAGS_CONFIG,
  LOCAL_FLAGS_DEFAULTS,
  LOCAL_FLAGS_OPTIONS,
  type LocalFlagsConfig,
  type LocalFlagsOptions,
} from './local-flags-options.js'
export { LocalFlagsProvider } from './local-flags-provider.js'
export {
  REMOTE_FLAGS_CONFIG,
  REMOTE_FLAGS_DEFAULTS,
  REMOTE_FLAGS_OPTIONS,
  type RemoteFlagsConfig,
  type RemoteFlagsOptions,
  RemoteFlagsProvider,
} from './remote-flags-provider.js'
export type {
  EvaluationOptions,
  ExposureTracker,
  FallbackReason,
  FlagContext,
  FlagsEvents,
  FlagsProvider,
  LocalFlagsStats,
  VariantResult,
  VariantSource,
} from './types.js'
