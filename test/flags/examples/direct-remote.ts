// docs:start
import { Mixpanel } from '../../../src/client/index.js'
import { RemoteFlagsProvider } from '../../../src/flags/index.js'
// docs:end

/** Using remote evaluation without OpenFeature. */
export async function main(apiHost: string): Promise<void> {
  // docs:start
  const mp = new Mixpanel('YOUR_PROJECT_TOKEN', { apiHost })
  const flags = new RemoteFlagsProvider({ token: 'YOUR_PROJECT_TOKEN', tracker: mp, apiHost })

  const result = await flags.getVariant('remote-flag', 'off', { distinct_id: 'user-123' })
  if (result.reason === 'BACKEND_ERROR') console.log(`remote evaluation failed: ${result.message}`)
  else console.log(result.variantKey, result.value, result.source)

  await flags.shutdown()
  await mp.close()
  // docs:end
}
