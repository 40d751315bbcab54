// docs:start
import { type EvaluationContext, OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed examples "Setting Context" and "All Properties Passed Directly". */
export async function main(): Promise<void> {
  // docs:start
  const client = OpenFeature.getClient()

  // This OpenFeature context...
  const context: EvaluationContext = {
    targetingKey: 'user-123',
    distinct_id: 'user-123',
    email: 'user@example.com',
    custom_properties: { plan: 'premium', beta_tester: true },
  }
  // ...is passed to Mixpanel as is for flag evaluation
  const value = await client.getBooleanValue('premium-feature', false, context)
  // docs:end
  console.log(`premium-feature: ${value}`)
}
