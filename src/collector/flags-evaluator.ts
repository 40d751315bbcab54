import { type FlagDefinitions, LocalFlagsProvider, type VariantResult } from '../flags/index.js'
import type { Logger } from '../internal/index.js'
import type { FlagsEvaluator, RemoteVariant } from './flags-source.js'

/**
 * The evaluator `GET /flags` uses by default: eventwire's local flag evaluator (the same bucketing
 * the SDK uses), over the definitions currently served. Evaluations here never track exposures.
 */
export function createLocalEvaluator(logger: Logger): FlagsEvaluator {
  let cached: { definitions: FlagDefinitions; provider: LocalFlagsProvider } | undefined
  return (definitions, context, flagKey) => {
    if (cached?.definitions !== definitions) {
      void cached?.provider.shutdown()
      cached = {
        definitions,
        provider: new LocalFlagsProvider({ definitions, reportExposure: false, logger }),
      }
    }
    const provider = cached.provider
    const flags: Record<string, RemoteVariant> = {}
    if (flagKey !== undefined) {
      const result = provider.getVariant<unknown>(flagKey, null, context, { reportExposure: false })
      if (result.source !== 'fallback') flags[flagKey] = toRemote(result)
      return flags
    }
    for (const [key, result] of Object.entries(provider.getAllVariants(context)))
      flags[key] = toRemote(result)
    return flags
  }
}

/** A local result in Mixpanel's remote answer shape. */
function toRemote(result: VariantResult): RemoteVariant {
  const variant: RemoteVariant = {
    variant_key: result.variantKey ?? '',
    variant_value: (result.value ?? null) as RemoteVariant['variant_value'],
  }
  if (result.experimentId !== undefined) variant.experiment_id = result.experimentId
  if (result.isExperimentActive !== undefined) variant.is_experiment_active = result.isExperimentActive
  if (result.isQaTester !== undefined) variant.is_qa_tester = result.isQaTester
  return variant
}
