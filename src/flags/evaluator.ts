import type { CompiledFlag } from './compiled-flag.js'
import { KeyHasher } from './hash.js'
import { RuleInput } from './rule-input.js'
import type { FallbackReason, FlagContext, VariantResult } from './types.js'

/**
 * Evaluates compiled flags (Mixpanel's local algorithm):
 * 1. the assignment key `context[flag.context]` must be present (not undefined, null or '');
 * 2. a QA tester (`ruleset.test.users[context.distinct_id]`) gets the listed variant;
 * 3. rollout groups are tried in order: the first whose bucket of `String(key)` with the group salt
 *    is below `rollout_percentage` and whose runtime rule holds is selected;
 * 4. its `variant_override` wins; otherwise the variant bucket walks the cumulative splits, and
 *    falls on the last variant when the splits sum to less than the bucket.
 *
 * Returns a shared, frozen result on a match, or the fallback reason. One instance per provider;
 * not reentrant (evaluation is synchronous).
 */
export class Evaluator {
  readonly #hasher = new KeyHasher()
  readonly #ruleInput = new RuleInput()
  #context: FlagContext | undefined

  /** Starts a new context; runtime rules read its custom properties lazily. */
  begin(context: FlagContext): void {
    this.#context = context
    this.#ruleInput.reset(context)
  }

  /** Evaluates `flag` for the context given to {@link begin}. */
  evaluate(flag: CompiledFlag): VariantResult | FallbackReason {
    const context = this.#context!
    const key = context[flag.contextKey]
    if (key === undefined || key === null || key === '') return 'MISSING_CONTEXT_KEY'
    const qaUsers = flag.qaUsers
    if (qaUsers !== undefined) {
      const id = context.distinct_id
      if (id !== undefined && id !== null && id !== '') {
        const qa = qaUsers.get(typeof id === 'string' ? id : String(id))
        if (qa !== undefined) return qa
      }
    }
    const rollouts = flag.rollouts
    const count = rollouts.length
    if (count === 0) return 'NO_ROLLOUT_MATCH'
    const hasher = this.#hasher
    hasher.setKey(typeof key === 'string' ? key : String(key))
    hasher.absorb(flag.saltPrefix, flag.saltPrefixText)
    let salt: Uint8Array | undefined
    let bucket = 0
    for (let i = 0; i < count; i++) {
      const rollout = rollouts[i]!
      if (rollout.salt !== salt) {
        salt = rollout.salt
        bucket = hasher.bucket(salt)
      }
      if (bucket >= rollout.percentage) continue
      const check = rollout.check
      if (check !== undefined && !check(this.#ruleInput)) continue
      if (rollout.override !== undefined) return rollout.override
      const results = flag.results
      const last = results.length - 1
      if (last < 0) return 'NO_ROLLOUT_MATCH'
      const variantBucket = hasher.bucket(flag.variantSalt)
      const cumulative = rollout.cumulative
      for (let v = 0; v < last; v++) {
        if (variantBucket < cumulative[v]!) return results[v]!
      }
      return results[last]!
    }
    return 'NO_ROLLOUT_MATCH'
  }
}
