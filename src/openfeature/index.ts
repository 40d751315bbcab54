export type { TargetingKeyMapping } from './context.js'
export {
  MIXPANEL_LOCAL_PROVIDER_CONFIG,
  MIXPANEL_PROVIDER_OPTIONS,
  MIXPANEL_REMOTE_PROVIDER_CONFIG,
  type MixpanelLocalProviderConfig,
  MixpanelProvider,
  type MixpanelProviderOptions,
  type MixpanelRemoteProviderConfig,
  type OwnedClientOptions,
} from './mixpanel-provider.js'
