import type { Logger } from '../internal/index.js'
import { jsonLogic, type RulesLogic } from './json-logic.js'
import { lowercaseLeaves } from './lowercase.js'
import { compileLogic } from './rule-compiler.js'
import { ContextReadError, type RuleInput } from './rule-input.js'

/** A compiled runtime condition of one rollout group. */
export type RuntimeCheck = (input: RuleInput) => boolean

/** A compiled JsonLogic rule. */
export interface CompiledRule {
  readonly check: RuntimeCheck
  /** True when the compiler could not take the rule and json-logic-js interprets it. */
  readonly interpreted: boolean
}

/**
 * Compiles a JsonLogic rule: its leaf strings are lower-cased once, here, as Mixpanel's SDKs do
 * before every evaluation, and it becomes plain functions with json-logic-js's semantics (see
 * `compileLogic`); a rule the compiler cannot take is interpreted by json-logic-js. A rule that
 * throws counts as not satisfied (and is logged at debug); an error thrown by the context itself
 * while the rule reads it is rethrown. The result's truthiness follows JavaScript, like Mixpanel's
 * Node SDK.
 */
export function compileRule(rule: unknown, flagKey: string, logger: Logger): CompiledRule {
  const lowered = lowercaseLeaves(rule)
  const compiled = compileLogic(lowered)
  if (compiled === undefined) {
    logger.debug({ flag: flagKey }, 'eventwire: runtime rule not compiled; json-logic-js interprets it')
  }
  const evaluate = compiled ?? interpret(lowered)
  const check: RuntimeCheck = (input) => {
    try {
      return Boolean(evaluate(input))
    } catch (error) {
      // The context's own failure is not the rule's: it ends the evaluation, like any error reading
      // the context.
      if (error instanceof ContextReadError) throw error.cause
      logger.debug({ flag: flagKey, err: error }, 'eventwire: runtime rule failed; treated as not satisfied')
      return false
    }
  }
  return { check, interpreted: compiled === undefined }
}

/**
 * Compiles a legacy `runtime_evaluation_definition`: every key must be present in the parameters
 * and its value must match, both compared case-insensitively. Without parameters it fails.
 */
export function compileLegacyDefinition(definition: Record<string, unknown>): RuntimeCheck {
  const expected = Object.entries(definition).map(([key, value]) => [
    key.toLowerCase(),
    String(value).toLowerCase(),
  ])
  return (input) => {
    const params = input.lowered() as Record<string, unknown> | null
    if (params === null) return false
    for (const [key, value] of expected) {
      if (!Object.hasOwn(params, key!)) return false
      if (String(params[key!]).toLowerCase() !== value) return false
    }
    return true
  }
}

/** json-logic-js's evaluation of `rule` (which loads json-logic-js). */
function interpret(rule: unknown): (input: RuleInput) => unknown {
  const logic = jsonLogic()
  return (input) => logic.apply(rule as RulesLogic, input.lowered())
}
