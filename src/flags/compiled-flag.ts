import type { Logger } from '../internal/index.js'
import type { FlagDefinition, FlagRollout, FlagVariant } from './definitions.js'
import { utf8 } from './hash.js'
import { compileLegacyDefinition, compileRule, type RuntimeCheck } from './runtime-rules.js'
import type { VariantResult } from './types.js'

const VARIANT_SALT = utf8('variant')

/** One rollout group, ready to evaluate. */
export interface CompiledRollout {
  /** `rollout_percentage`: a context is in the group when its bucket is below it. */
  readonly percentage: number
  /**
   * UTF-8 bytes of the rollout salt after the flag's {@link CompiledFlag.saltPrefix}: the group
   * index, or `rollout` for flags without `hash_salt` (then all groups share one array).
   */
  readonly salt: Uint8Array
  /** The runtime rule or legacy definition; undefined when the group has none. */
  readonly check: RuntimeCheck | undefined
  /** The `variant_override` result, when it names an existing variant. */
  readonly override: VariantResult | undefined
  /** Running sums of the variant splits (after `variant_splits`), in variant order. */
  readonly cumulative: Float64Array
}

/**
 * A flag definition turned into what evaluation needs, once per load: salts as bytes, variants
 * sorted by key with their results pre-built (so a local evaluation allocates nothing), cumulative
 * splits per group, QA testers in a Map, runtime rules compiled.
 */
export interface CompiledFlag {
  readonly key: string
  /** The context property hashed for assignment (the definition's `context`). */
  readonly contextKey: string
  readonly rollouts: readonly CompiledRollout[]
  /** `key + hash_salt` (or `key`): the start of every salt of this flag, hashed once per evaluation. */
  readonly saltPrefix: Uint8Array
  /** The text of {@link saltPrefix}: a lone surrogate at either end pairs with its neighbour. */
  readonly saltPrefixText: string
  /** The rest of the variant salt: `variant`. */
  readonly variantSalt: Uint8Array
  /** One frozen result per variant, in key order. */
  readonly results: readonly VariantResult[]
  /** QA testers: distinct id → frozen result with `isQaTester: true`. */
  readonly qaUsers: ReadonlyMap<string, VariantResult> | undefined
  /** The definition as JSON, to detect changes between loads. */
  readonly fingerprint: string
  /** JsonLogic runtime rules of the flag's rollout groups. */
  readonly rules: number
  /** Those of {@link rules} the compiler could not take, which json-logic-js interprets. */
  readonly interpretedRules: number
}

/**
 * Compiles one definition. Variants are ordered by key (Unicode code point order), as Mixpanel's
 * Python and Go SDKs order them, so every SDK that sorts gives a user the same variant whatever
 * order the server lists variants in.
 */
export function compileFlag(
  flag: FlagDefinition,
  logger: Logger,
  fingerprint: string = JSON.stringify(flag),
): CompiledFlag {
  const variants = [...flag.ruleset.variants].sort((a, b) => compareCodePoints(a.key, b.key))
  const base = {
    source: 'local' as const,
    reason: undefined,
    message: undefined,
    experimentId: flag.experiment_id ?? undefined,
    isExperimentActive: flag.is_experiment_active ?? undefined,
  }
  const results = variants.map((v) =>
    Object.freeze({ variantKey: v.key, value: v.value, ...base, isQaTester: false }),
  )
  const qaResults = variants.map((v) =>
    Object.freeze({ variantKey: v.key, value: v.value, ...base, isQaTester: true }),
  )
  const findVariant = (key: unknown): number =>
    typeof key === 'string' ? variants.findIndex((v) => v.key.toLowerCase() === key.toLowerCase()) : -1

  // Salts are `key + hash_salt + index` (or `key + "rollout"`) and `key + (hash_salt ?? "") + "variant"`.
  const hashSalt = flag.hash_salt ?? undefined
  const sharedSalt = hashSalt === undefined ? utf8('rollout') : undefined
  let rules = 0
  let interpretedRules = 0
  const rollouts = flag.ruleset.rollout.map((rollout, index) => {
    const override = findVariant(rollout.variant_override?.key)
    let check: RuntimeCheck | undefined
    // JavaScript-truthy rules only, like Mixpanel's Node SDK: a `false` or empty rule means "no rule".
    if (rollout.runtime_evaluation_rule) {
      const rule = compileRule(rollout.runtime_evaluation_rule, flag.key, logger)
      check = rule.check
      rules++
      if (rule.interpreted) interpretedRules++
    } else if (rollout.runtime_evaluation_definition) {
      check = compileLegacyDefinition(rollout.runtime_evaluation_definition)
    }
    return {
      percentage: rollout.rollout_percentage,
      salt: sharedSalt ?? utf8(String(index)),
      check,
      override: override === -1 ? undefined : results[override],
      cumulative: cumulativeSplits(variants, rollout),
    }
  })

  let qaUsers: Map<string, VariantResult> | undefined
  const users = flag.ruleset.test?.users
  if (users) {
    for (const [distinctId, variantKey] of Object.entries(users)) {
      const index = findVariant(variantKey)
      if (distinctId === '' || index === -1) continue
      qaUsers ??= new Map()
      qaUsers.set(distinctId, qaResults[index]!)
    }
  }

  const saltPrefixText = `${flag.key}${hashSalt ?? ''}`
  return {
    key: flag.key,
    contextKey: flag.context,
    rollouts,
    saltPrefix: utf8(saltPrefixText),
    saltPrefixText,
    variantSalt: VARIANT_SALT,
    results,
    qaUsers,
    fingerprint,
    rules,
    interpretedRules,
  }
}

function cumulativeSplits(variants: readonly FlagVariant[], rollout: FlagRollout): Float64Array {
  const overrides = rollout.variant_splits ?? undefined
  const sums = new Float64Array(variants.length)
  // Summed one by one in variant order, so the floating-point sums equal the reference SDKs'.
  let cumulative = 0.0
  variants.forEach((variant, i) => {
    const split =
      overrides !== undefined && Object.hasOwn(overrides, variant.key)
        ? overrides[variant.key]
        : variant.split
    cumulative += split || 0.0
    sums[i] = cumulative
  })
  return sums
}

/** Orders strings by Unicode code point, as Python and Go compare strings. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    if (x > 0xffff) i++
  }
  return a.length - b.length
}
