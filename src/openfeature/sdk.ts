import type * as OpenFeatureSdk from '@openfeature/server-sdk'
import { requirePeer } from '../internal/index.js'

/**
 * The OpenFeature server SDK (an optional peer dependency), loaded as soon as
 * `eventwire/openfeature` is imported: without it the import fails with
 * `EVENTWIRE_DEPENDENCY_MISSING` and the command that installs it, instead of Node's bare
 * "Cannot find package". Loaded with `require` (the SDK ships CommonJS too), since an ES module
 * cannot catch the failure of its own static imports.
 */
export const sdk: typeof OpenFeatureSdk = requirePeer('@openfeature/server-sdk', {
  code: 'EVENTWIRE_DEPENDENCY_MISSING',
  feature: 'eventwire/openfeature',
})
