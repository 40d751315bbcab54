import { FlagsError } from '../errors/index.js'

/** One variant of a flag, as `GET /flags/definitions` sends it. */
export interface FlagVariant {
  key: string
  /** Any JSON value. */
  value: unknown
  is_control?: boolean
  /** Share of the rollout group, 0.0–1.0. */
  split?: number | null
  is_sticky?: boolean
}

/** One rollout group of a flag. Groups are tried in order; the first that matches wins. */
export interface FlagRollout {
  /** Share of contexts in this group, 0.0–1.0. */
  rollout_percentage: number
  /** A JsonLogic rule over the context's `custom_properties`. */
  runtime_evaluation_rule?: unknown
  /** Deprecated exact-match map over `custom_properties` (case-insensitive). */
  runtime_evaluation_definition?: Record<string, unknown> | null
  /** Variant key → split, replacing the variants' own splits within this group. */
  variant_splits?: Record<string, number> | null
  /** Deprecated: every context in this group gets this variant. */
  variant_override?: { key: string } | null
  cohort_hash?: string | null
}

/** A flag's rules. */
export interface FlagRuleset {
  variants: FlagVariant[]
  rollout: FlagRollout[]
  /** QA testers: distinct id → variant key. */
  test?: { users?: Record<string, string> | null } | null
}

/** One flag definition (Mixpanel's `ExperimentationFlag`). */
export interface FlagDefinition {
  id?: string
  name?: string
  /** The key flags are looked up by. */
  key: string
  status?: string
  project_id?: number
  workspace_id?: number
  /** The variant assignment key: the context property hashed (`distinct_id`, `device_id`, a group key). */
  context: string
  experiment_id?: string | null
  is_experiment_active?: boolean | null
  hash_salt?: string | null
  ruleset: FlagRuleset
}

/** The body of `GET /flags/definitions`, also the format of a definitions file. */
export interface FlagDefinitions {
  flags: FlagDefinition[]
}

/** Parsed definitions, with the flags that had to be left out and why. */
export interface ParsedDefinitions {
  flags: FlagDefinition[]
  skipped: Array<{ key: string; reason: string }>
}

/**
 * Checks a definitions document. Throws `EVENTWIRE_FLAGS_INVALID_DEFINITIONS` when it is not
 * `{ flags: [...] }`; a malformed individual flag is skipped and reported, so one bad flag cannot
 * take every other flag down.
 */
export function parseDefinitions(input: unknown): ParsedDefinitions {
  if (!isObject(input) || !Array.isArray(input.flags)) {
    throw new FlagsError(
      'EVENTWIRE_FLAGS_INVALID_DEFINITIONS',
      'flag definitions must be a JSON object with a "flags" array',
    )
  }
  const flags: FlagDefinition[] = []
  const skipped: ParsedDefinitions['skipped'] = []
  input.flags.forEach((flag: unknown, index: number) => {
    const problem = checkFlag(flag)
    if (problem === undefined) flags.push(flag as FlagDefinition)
    else {
      const key = isObject(flag) && typeof flag.key === 'string' ? flag.key : `#${index}`
      skipped.push({ key, reason: problem })
    }
  })
  return { flags, skipped }
}

/** Parses the JSON text of a definitions response or file. */
export function parseDefinitionsText(text: string): ParsedDefinitions {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new FlagsError('EVENTWIRE_FLAGS_INVALID_DEFINITIONS', 'flag definitions are not valid JSON', {
      cause: error,
    })
  }
  return parseDefinitions(json)
}

function checkFlag(flag: unknown): string | undefined {
  if (!isObject(flag)) return 'not an object'
  if (typeof flag.key !== 'string' || flag.key === '') return 'key must be a non-empty string'
  if (typeof flag.context !== 'string' || flag.context === '') return 'context must be a non-empty string'
  if (flag.hash_salt != null && typeof flag.hash_salt !== 'string') return 'hash_salt must be a string'
  const ruleset = flag.ruleset
  if (!isObject(ruleset)) return 'ruleset must be an object'
  if (!Array.isArray(ruleset.variants)) return 'ruleset.variants must be an array'
  for (const variant of ruleset.variants) {
    if (!isObject(variant) || typeof variant.key !== 'string') return 'every variant needs a string key'
    if (variant.split != null && typeof variant.split !== 'number') return `variant ${variant.key}: bad split`
  }
  if (!Array.isArray(ruleset.rollout)) return 'ruleset.rollout must be an array'
  for (const [i, rollout] of ruleset.rollout.entries()) {
    if (!isObject(rollout) || typeof rollout.rollout_percentage !== 'number') {
      return `rollout ${i}: rollout_percentage must be a number`
    }
    const splits = rollout.variant_splits
    if (splits != null && (!isObject(splits) || Object.values(splits).some((v) => typeof v !== 'number'))) {
      return `rollout ${i}: variant_splits must map variant keys to numbers`
    }
    const override = rollout.variant_override
    if (override != null && !(isObject(override) && typeof override.key === 'string')) {
      return `rollout ${i}: variant_override must be { key }`
    }
    const legacy = rollout.runtime_evaluation_definition
    if (legacy != null && !isObject(legacy))
      return `rollout ${i}: runtime_evaluation_definition must be an object`
  }
  const users = isObject(ruleset.test) ? ruleset.test.users : undefined
  if (ruleset.test != null && !isObject(ruleset.test)) return 'ruleset.test must be an object'
  if (users != null && !isObject(users)) return 'ruleset.test.users must be an object'
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
