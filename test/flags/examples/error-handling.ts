// docs:start
import { ErrorCode, OpenFeature } from '@openfeature/server-sdk'
// docs:end

/** Seed examples "FLAG_NOT_FOUND" and "TYPE_MISMATCH" (a provider is registered and ready). */
export async function main(): Promise<void> {
  // docs:start
  const client = OpenFeature.getClient()
  const context = { distinct_id: 'user-123' }

  const missing = await client.getBooleanDetails('nonexistent-flag', false, context)
  if (missing.errorCode === ErrorCode.FLAG_NOT_FOUND) {
    console.log('Flag does not exist, using default value')
  }

  // If 'my-flag' is configured as a string in Mixpanel...
  const mismatch = await client.getBooleanDetails('my-flag', false, context)
  if (mismatch.errorCode === ErrorCode.TYPE_MISMATCH) {
    console.log('Flag is not a boolean, using default value')
  }
  // docs:end
}
