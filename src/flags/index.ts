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
export { EXPOSURE_DEFAULTS, type ExposureOptions } from './exposure-options.js'
export type { FlagsConnectionOptions } from './flags-http.js'
export { normalizedHash } from './hash.js'
export { LOCAL_FLAGS_DEFAULTS, type LocalFlagsConfig, type LocalFlagsOptions } from './local-flags-options.js'
export { LocalFlagsProvider } from './local-flags-provider.js'
export {
  REMOTE_FLAGS_DEFAULTS,
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
