// docs:start
import { ErrorCode, OpenFeature } from '@openfeature/server-sdk'
import { MixpanelProvider } from '../../../src/openfeature/index.js'
// docs:end

/** Seed example "PROVIDER_NOT_READY". */
export async function main(apiHost: string): Promise<void> {
  // docs:start
  OpenFeature.setProvider(MixpanelProvider.fromLocalConfig('YOUR_PROJECT_TOKEN', { apiHost }))
  const client = OpenFeature.getClient()

  // Evaluated before the flag definitions have loaded
  const details = await client.getBooleanDetails('my-feature', false, { distinct_id: 'user-123' })

  if (details.errorCode === ErrorCode.PROVIDER_NOT_READY) {
    console.log('Provider still loading, using default value')
  }
  // docs:end
}
