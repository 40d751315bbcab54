// docs:start
import { OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed example "Shutdown". */
export async function main(): Promise<void> {
  // docs:start
  // Calls provider.onClose(): stops polling and flushes the provider's own Mixpanel client
  await OpenFeature.close()
  // docs:end
  console.log('closed')
}
