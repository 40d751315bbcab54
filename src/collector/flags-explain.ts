import {
  type FlagContext,
  type FlagDefinition,
  type FlagDefinitions,
  LocalFlagsProvider,
  normalizedHash,
} from '../flags/index.js'
import type { Logger } from '../internal/index.js'
import type { JsonValue } from '../message/index.js'

/** One rollout group as it applied to the context. */
export interface RolloutStep {
  index: number
  /** `rollout_percentage`, 0–1. */
  percentage: number
  /** The context's bucket for this group, 0–0.99; in the group when below `percentage`. */
  bucket: number
  inRollout: boolean
  /** Whether the group has a runtime rule; `ruleHolds` is null when it has none. */
  hasRule: boolean
  ruleHolds: boolean | null
  /** The group's `variant_override`, when it has one. */
  override: string | null
  selected: boolean
}

/** Why a flag gave a context the variant it did (`GET /_/flags/explain`). */
export interface FlagExplanation {
  key: string
  name: string | null
  /** The context property hashed (`distinct_id`, `device_id`, a group key) and its value. */
  contextKey: string
  contextValue: string | null
  /** The variant selected, or null (the caller's fallback). */
  variant: { key: string; value: JsonValue } | null
  /** `test_user`, `rollout`, `no_rollout_match`, `missing_context_key` or `not_found`. */
  reason: 'test_user' | 'rollout' | 'no_rollout_match' | 'missing_context_key' | 'not_found'
  rollouts: RolloutStep[]
  /** How the variant was picked in the selected group: an override, or the split walk. */
  split:
    | { override: string }
    | { bucket: number; variants: Array<{ key: string; from: number; to: number; selected: boolean }> }
    | null
  /** The same in one sentence. */
  summary: string
}

/**
 * Explains, for one context, every flag (or `flagKey`'s): the selected variant comes from
 * eventwire's `LocalFlagsProvider`; the steps (test users, each rollout group's bucket and rule,
 * the variant split) are worked out beside it with the public `normalizedHash` and single-group
 * evaluations, following the algorithm in docs/flags.md.
 */
export function explainFlags(
  definitions: FlagDefinitions,
  context: FlagContext,
  flagKey: string | undefined,
  logger: Logger,
): FlagExplanation[] {
  const flags = definitions.flags.filter((flag) => flagKey === undefined || flag.key === flagKey)
  return flags.map((flag) => explainFlag(flag, context, logger))
}

function explainFlag(flag: FlagDefinition, context: FlagContext, logger: Logger): FlagExplanation {
  const result = evaluate(flag, context, logger)
  const raw = context[flag.context]
  const contextValue = raw === undefined || raw === null || raw === '' ? null : String(raw)
  const base = {
    key: flag.key,
    name: flag.name ?? null,
    contextKey: flag.context,
    contextValue,
    variant:
      result.variantKey === undefined ? null : { key: result.variantKey, value: result.value as JsonValue },
    rollouts: [] as RolloutStep[],
    split: null,
  }
  if (contextValue === null) {
    return {
      ...base,
      reason: 'missing_context_key',
      summary: `The context has no ${flag.context}, so the flag cannot assign it: the caller's fallback.`,
    }
  }
  if (result.isQaTester === true) {
    return {
      ...base,
      reason: 'test_user',
      summary: `${context.distinct_id} is listed as a test user of this flag with variant ${result.variantKey}.`,
    }
  }
  const salt = `${flag.key}${flag.hash_salt ?? ''}`
  let chosen: number | null = null
  const rollouts = flag.ruleset.rollout.map((rollout, index): RolloutStep => {
    const bucket = normalizedHash(
      contextValue,
      flag.hash_salt == null ? `${flag.key}rollout` : `${salt}${index}`,
    )
    const hasRule = Boolean(rollout.runtime_evaluation_rule || rollout.runtime_evaluation_definition)
    const ruleHolds = hasRule ? ruleHoldsFor(flag, index, context, logger) : null
    const inRollout = bucket < rollout.rollout_percentage
    const selected = chosen === null && inRollout && ruleHolds !== false
    if (selected) chosen = index
    return {
      index,
      percentage: rollout.rollout_percentage,
      bucket,
      inRollout,
      hasRule,
      ruleHolds,
      override: rollout.variant_override?.key ?? null,
      selected,
    }
  })
  if (result.source === 'fallback' || chosen === null) {
    return {
      ...base,
      rollouts,
      reason: result.reason === 'FLAG_NOT_FOUND' ? 'not_found' : 'no_rollout_match',
      summary:
        rollouts.length === 0
          ? 'The flag has no rollout group: the caller gets its fallback.'
          : `No rollout group takes ${flag.context} ${JSON.stringify(contextValue)} (bucket above the percentage, or the rule does not hold): the caller's fallback.`,
    }
  }
  const group = flag.ruleset.rollout[chosen]!
  const step = rollouts[chosen]!
  const rule = step.hasRule ? ' and its runtime rule holds' : ''
  const head = `Rollout group ${chosen + 1} (${pct(step.percentage)}) takes it: bucket ${step.bucket.toFixed(2)} < ${step.percentage}${rule}`
  if (step.override !== null && result.variantKey?.toLowerCase() === step.override.toLowerCase()) {
    return {
      ...base,
      rollouts,
      reason: 'rollout',
      split: { override: step.override },
      summary: `${head}; the group overrides the variant with ${step.override}.`,
    }
  }
  const variantBucket = normalizedHash(contextValue, `${salt}variant`)
  const variants = [...flag.ruleset.variants].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  let from = 0
  const ranges = variants.map((variant) => {
    const split = group.variant_splits?.[variant.key] ?? variant.split ?? 0
    const range = { key: variant.key, from, to: from + split, selected: variant.key === result.variantKey }
    from += split
    return range
  })
  return {
    ...base,
    rollouts,
    reason: 'rollout',
    split: { bucket: variantBucket, variants: ranges },
    summary: `${head}; variant bucket ${variantBucket.toFixed(2)} falls in ${result.variantKey}'s share of the split.`,
  }
}

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10}%`
}

function evaluate(flag: FlagDefinition, context: FlagContext, logger: Logger) {
  const provider = new LocalFlagsProvider({ definitions: { flags: [flag] }, reportExposure: false, logger })
  try {
    return provider.getVariant<unknown>(flag.key, null, context, { reportExposure: false })
  } finally {
    void provider.shutdown()
  }
}

/**
 * Whether group `index`'s runtime rule holds: the flag evaluated with only that group open to
 * everyone (100%) and the others closed selects a variant exactly when the rule holds.
 */
function ruleHoldsFor(flag: FlagDefinition, index: number, context: FlagContext, logger: Logger): boolean {
  const only: FlagDefinition = {
    ...flag,
    ruleset: {
      ...flag.ruleset,
      test: null,
      rollout: flag.ruleset.rollout.map((rollout, i) => ({
        ...rollout,
        rollout_percentage: i === index ? 1 : 0,
      })),
    },
  }
  return evaluate(only, context, logger).source !== 'fallback'
}
