// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed example "Getting Full Resolution Details". */
export async function main(): Promise<void> {
  // docs:start
  const client = OpenFeature.getClient()

  const details = await client.getBooleanDetails('my-feature', false, { distinct_id: 'user-123' })

  console.log(details.value) // The resolved value
  console.log(details.variant) // The variant key from Mixpanel
  console.log(details.reason) // Why this value was returned
  console.log(details.errorCode) // Error code if evaluation failed
  // docs:end
}
