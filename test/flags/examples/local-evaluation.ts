// docs:start
import { MixpanelProvider } from '../../../src/openfeature/index.js'
// docs:end

/** Seed example "Local Evaluation". */
export async function main(apiHost: string): Promise<MixpanelProvider> {
  // docs:start
  const provider = MixpanelProvider.fromLocalConfig('YOUR_PROJECT_TOKEN', {
    apiHost,
    pollingIntervalMs: 60_000, // the default
  })
  // docs:end
  await provider.flags.ready()
  console.log(`local flags ready: ${provider.flags.areFlagsReady()}`)
  return provider
}
