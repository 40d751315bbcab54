import { ConfigError } from '../errors/index.js'
import { describe } from '../internal/index.js'
import { ISSUE_CODES, type IssueCode, type PlanAction, type PlanPolicy } from './types.js'

/** Issue codes the `'fix'` policy can repair. The others fall back to `'send'` (reported) under `'fix'`. */
export const FIXABLE_CODES: ReadonlySet<IssueCode> = new Set<IssueCode>([
  'alias_used',
  'name_case_mismatch',
  'property_case_mismatch',
  'unplanned_property',
  'invalid_type',
  'invalid_value',
])

const ACTIONS: readonly PlanAction[] = ['send', 'fix', 'drop', 'reject']

/** A policy with one action per issue code. */
export type ResolvedPolicy = Readonly<Record<IssueCode, PlanAction>>

/**
 * Defaults outside development: repair what can be repaired (names, property-name case, types,
 * enum case, dates) and send the rest with the issues reported, so production never loses data
 * because of the plan. Unplanned properties are kept (`'send'`), not stripped.
 */
export const PRODUCTION_POLICY: ResolvedPolicy = Object.freeze({
  unplanned_event: 'send',
  alias_used: 'fix',
  name_case_mismatch: 'fix',
  deprecated_event: 'send',
  missing_property: 'send',
  unplanned_property: 'send',
  property_case_mismatch: 'fix',
  invalid_type: 'fix',
  invalid_value: 'fix',
  unplanned_group: 'send',
})

/** Defaults when `NODE_ENV` is `development` or `test`: every issue rejects the call, so it is fixed in code. */
export const DEVELOPMENT_POLICY: ResolvedPolicy = Object.freeze(
  Object.fromEntries(ISSUE_CODES.map((code) => [code, 'reject'])) as Record<IssueCode, PlanAction>,
)

/** True for the environments that get {@link DEVELOPMENT_POLICY}: `development` and `test`. */
export function isDevelopmentEnv(env: string | undefined): boolean {
  return env === 'development' || env === 'test'
}

/** The default policy for an environment name (usually `NODE_ENV`). */
export function defaultPolicy(env: string | undefined): ResolvedPolicy {
  return isDevelopmentEnv(env) ? DEVELOPMENT_POLICY : PRODUCTION_POLICY
}

/**
 * Resolves `planPolicy` into one action per issue code: a single action applies to every code; a
 * map overrides codes, `default` fills the others, and codes still missing take the environment's
 * default. @throws {ConfigError} naming `planPolicy` for unknown codes or actions.
 */
export function resolvePolicy(policy: PlanPolicy | undefined, env: string | undefined): ResolvedPolicy {
  const base = defaultPolicy(env)
  if (policy === undefined) return base
  if (typeof policy === 'string') {
    checkAction('planPolicy', policy)
    return Object.freeze(
      Object.fromEntries(ISSUE_CODES.map((c) => [c, policy])) as Record<IssueCode, PlanAction>,
    )
  }
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) {
    throw new ConfigError(
      'planPolicy',
      `expected an action or a map of issue codes to actions, got ${describe(policy)}`,
    )
  }
  const out = { ...base } as Record<IssueCode, PlanAction>
  const fallback = policy.default
  if (fallback !== undefined) {
    checkAction('planPolicy.default', fallback)
    for (const code of ISSUE_CODES) out[code] = fallback
  }
  for (const [key, action] of Object.entries(policy)) {
    if (key === 'default') continue
    if (!(ISSUE_CODES as readonly string[]).includes(key)) {
      throw new ConfigError(
        'planPolicy',
        `unknown issue code ${JSON.stringify(key)}; expected one of ${ISSUE_CODES.join(', ')}`,
      )
    }
    checkAction(`planPolicy.${key}`, action)
    out[key as IssueCode] = action as PlanAction
  }
  return Object.freeze(out)
}

function checkAction(option: string, value: unknown): void {
  if (!(ACTIONS as readonly unknown[]).includes(value)) {
    throw new ConfigError(option, `expected 'send', 'fix', 'drop' or 'reject', got ${describe(value)}`)
  }
}
