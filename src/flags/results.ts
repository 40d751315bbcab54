import type { FallbackReason, VariantResult } from './types.js'

/** A fallback result: the caller's value and why it was used. */
export function fallbackResult<T>(value: T, reason: FallbackReason, message?: string): VariantResult<T> {
  // Same property order as the local results, so result objects share one shape.
  return {
    variantKey: undefined,
    value,
    source: 'fallback',
    reason,
    message,
    experimentId: undefined,
    isExperimentActive: undefined,
    isQaTester: undefined,
  }
}

/** A result from the `GET /flags` answer for one flag (`SelectedVariant`). */
export function remoteResult<T>(selected: Record<string, unknown>): VariantResult<T> {
  return {
    variantKey: typeof selected.variant_key === 'string' ? selected.variant_key : undefined,
    value: selected.variant_value as T,
    source: 'remote',
    reason: undefined,
    message: undefined,
    experimentId: typeof selected.experiment_id === 'string' ? selected.experiment_id : undefined,
    isExperimentActive:
      typeof selected.is_experiment_active === 'boolean' ? selected.is_experiment_active : undefined,
    isQaTester: typeof selected.is_qa_tester === 'boolean' ? selected.is_qa_tester : undefined,
  }
}
