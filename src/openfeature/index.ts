export type { TargetingKeyMapping } from './context.js'
export {
  type MixpanelLocalProviderConfig,
  MixpanelProvider,
  type MixpanelProviderOptions,
  type MixpanelRemoteProviderConfig,
  type OwnedClientOptions,
} from './mixpanel-provider.js'
