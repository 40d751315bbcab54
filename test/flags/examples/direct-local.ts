// docs:start
import { Mixpanel } from '../../../src/client/index.js'
import { LocalFlagsProvider } from '../../../src/flags/index.js'
// docs:end

/** Using local evaluation without OpenFeature. */
export async function main(apiHost: string): Promise<void> {
  // docs:start
  const mp = new Mixpanel('YOUR_PROJECT_TOKEN', { apiHost })
  const flags = new LocalFlagsProvider({ token: 'YOUR_PROJECT_TOKEN', tracker: mp, apiHost })
  await flags.ready()

  const context = { distinct_id: 'user-123', custom_properties: { plan: 'premium' } }
  const result = flags.getVariant('button-color-test', 'blue', context)
  console.log(result.variantKey, result.value, result.source) // green green local

  if (flags.isEnabled('new-checkout', context)) console.log('new checkout')

  const fallback = flags.getVariant('no-such-flag', 'blue', context)
  console.log(fallback.value, fallback.reason) // blue FLAG_NOT_FOUND

  // Evaluate everything without exposures, then report the ones you use
  const all = flags.getAllVariants(context)
  flags.trackExposure('homepage-layout', all['homepage-layout']!, context)

  await flags.shutdown()
  await mp.close() // delivers the queued $experiment_started events
  // docs:end
}
