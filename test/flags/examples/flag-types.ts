// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed example "Mixpanel Flag Types and OpenFeature Evaluation Methods". */
export async function main(): Promise<void> {
  // docs:start
  const client = OpenFeature.getClient()
  const context = { distinct_id: 'user-123' }

  // Feature Gate - boolean variants
  const isFeatureOn = await client.getBooleanValue('new-checkout', false, context)

  // Experiment with string variants
  const buttonColor = await client.getStringValue('button-color-test', 'blue', context)

  // Experiment with integer variants
  const maxItems = await client.getNumberValue('max-items', 10, context)

  // Experiment with float variants
  const threshold = await client.getNumberValue('score-threshold', 0.5, context)

  // Dynamic Config - JSON object variants
  const featureConfig = await client.getObjectValue('homepage-layout', { layout: 'default' }, context)
  // docs:end
  console.log(JSON.stringify({ isFeatureOn, buttonColor, maxItems, threshold, featureConfig }))
}
