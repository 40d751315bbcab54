import type { MixpanelProvider } from '../../../src/openfeature/index.js'

/** Seed example "Accessing the Underlying Mixpanel Instance". */
export async function main(provider: MixpanelProvider): Promise<void> {
  // docs:start
  const mp = provider.mixpanel
  await mp?.track('user-123', 'Signed Up', { plan: 'premium' })
  // docs:end
  console.log(`tracked through the provider's client: ${mp !== null}`)
}
