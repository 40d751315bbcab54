// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed example "Basic Boolean Flag" (a provider is registered, as in the Quick Start). */
export async function main(): Promise<void> {
  // docs:start
  const client = OpenFeature.getClient()

  // Get a boolean flag with a default value
  const isFeatureEnabled = await client.getBooleanValue('my-feature', false, { distinct_id: 'user-123' })

  if (isFeatureEnabled) {
    // Show the new feature
    console.log('my-feature is on')
  }
  // docs:end
}
