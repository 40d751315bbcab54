// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
import { MixpanelProvider } from '../../../src/openfeature/index.js'
// docs:end

/** Seed example "Quick Start". */
export async function main(apiHost: string): Promise<void> {
  // docs:start
  // 1. Create and register the provider with local evaluation
  const provider = MixpanelProvider.fromLocalConfig('YOUR_PROJECT_TOKEN', { apiHost })
  await OpenFeature.setProviderAndWait(provider)

  // 2. Get a client and evaluate flags
  const client = OpenFeature.getClient()
  const showNewFeature = await client.getBooleanValue('new-feature-flag', false, { distinct_id: 'user-123' })

  if (showNewFeature) {
    console.log('New feature is enabled!')
  }
  // docs:end
}
