// docs:start
import { MixpanelProvider } from '../../../src/openfeature/index.js'
// docs:end

/** Seed example "Remote Evaluation". */
export async function main(apiHost: string): Promise<MixpanelProvider> {
  // docs:start
  const provider = MixpanelProvider.fromRemoteConfig('YOUR_PROJECT_TOKEN', {
    apiHost,
    requestTimeoutMs: 10_000, // the default
  })
  // docs:end
  const result = await provider.flags.getVariant('remote-flag', 'off', { distinct_id: 'user-123' })
  console.log(`remote variant: ${result.variantKey}`)
  return provider
}
