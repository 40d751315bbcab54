// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
import { Mixpanel } from '../../../src/client/index.js'
import { MixpanelProvider } from '../../../src/openfeature/index.js'
// docs:end

/** Seed example "Using an Existing Mixpanel Instance". */
export async function main(apiHost: string): Promise<void> {
  // docs:start
  // Your existing Mixpanel instance
  const mp = new Mixpanel('YOUR_PROJECT_TOKEN', { apiHost, localFlags: { apiHost } })
  const localFlags = mp.localFlags

  // Wrap the existing flags provider with OpenFeature
  const provider = new MixpanelProvider(localFlags)
  await OpenFeature.setProviderAndWait(provider)

  console.log(provider.mixpanel) // null: the provider does not own the client
  // docs:end
  await OpenFeature.close()
  await mp.close()
}
