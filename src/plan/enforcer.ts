import { checkOptions, type Logger, type LoggerOption, optionList, resolveLogger } from '../internal/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import type { CompiledEvent, CompiledProfile, TrackingPlan } from './compile.js'
import { applyFixes } from './fix.js'
import { collectErrors, type Found, toIssue } from './issues.js'
import { foldName } from './names.js'
import { FIXABLE_CODES, type ResolvedPolicy, resolvePolicy } from './policy.js'
import { checkProfile, isObject } from './profile-check.js'
import { ISSUE_CODES, type IssueCode, type PlanIssue, type PlanPolicy, type PlanVerdict } from './types.js'

/** Options of {@link createPlanEnforcer}. */
export interface PlanEnforcerOptions {
  /** What to do per issue kind. @default by environment: see `defaultPolicy()` */
  policy?: PlanPolicy
  /** Environment name choosing the default policy. @default process.env.NODE_ENV */
  env?: string
  /**
   * Receives unexpected internal failures (the call is then sent unchanged), or `false` for
   * silence. @default warnings and errors to stderr
   */
  logger?: LoggerOption
}

/** The names of {@link PlanEnforcerOptions}. */
export const PLAN_ENFORCER_OPTIONS = optionList<PlanEnforcerOptions>()({
  policy: true,
  env: true,
  logger: true,
})

/** Counters of an enforcer since it was created. */
export interface PlanEnforcerStats {
  /** Calls checked. */
  checked: number
  /** Calls without any issue. */
  passed: number
  /** Calls sent after at least one repair. */
  fixed: number
  /** Calls sent with unrepaired issues (reported only). */
  reported: number
  dropped: number
  rejected: number
  /** Issues seen per code (repaired ones included). */
  issues: Record<IssueCode, number>
}

/** Checks calls against a compiled plan and applies the policy. Never throws. */
export interface PlanEnforcer {
  readonly plan: TrackingPlan
  /** The resolved action per issue code. */
  readonly policy: ResolvedPolicy
  /** Checks an event; `properties` are the caller's JSON-safe properties. */
  event(name: string, properties: JsonObject): PlanVerdict
  /** Checks a user profile update (`$set`, `$set_once`, `$add`, `$append`, `$union`, `$remove`, `$unset`). */
  people(operation: string, value: JsonValue): PlanVerdict<JsonValue>
  /** Checks a group profile update for `groupKey`. */
  group(groupKey: string, operation: string, value: JsonValue): PlanVerdict<JsonValue>
  stats(): PlanEnforcerStats
}

const NO_ISSUES: readonly PlanIssue[] = Object.freeze([])
const SEVERITY = { send: 0, fix: 0, drop: 1, reject: 2 } as const
const OUTCOME = ['send', 'drop', 'reject'] as const

/**
 * Creates the runtime checker for `plan`. Validators were compiled by `loadPlan`; a valid call
 * costs one map lookup and one compiled validation, and allocates only the verdict.
 *
 * @throws {ConfigError} for an unknown option or an invalid `policy` (at creation only).
 */
export function createPlanEnforcer(plan: TrackingPlan, options: PlanEnforcerOptions = {}): PlanEnforcer {
  checkOptions(options, PLAN_ENFORCER_OPTIONS, 'createPlanEnforcer')
  return new Enforcer(
    plan,
    resolvePolicy(options.policy, options.env ?? process.env.NODE_ENV),
    resolveLogger(options.logger),
  )
}

type Check<P> = (value: P) => Found[]

class Enforcer implements PlanEnforcer {
  readonly plan: TrackingPlan
  readonly policy: ResolvedPolicy
  readonly #byName: ReadonlyMap<string, CompiledEvent>
  readonly #version: string
  readonly #logger: Logger
  readonly #stats: PlanEnforcerStats

  constructor(plan: TrackingPlan, policy: ResolvedPolicy, logger: Logger) {
    this.plan = plan
    this.policy = policy
    this.#byName = plan.compiled.byName
    this.#version = plan.version
    this.#logger = logger
    const issues = Object.fromEntries(ISSUE_CODES.map((c) => [c, 0])) as Record<IssueCode, number>
    this.#stats = { checked: 0, passed: 0, fixed: 0, reported: 0, dropped: 0, rejected: 0, issues }
  }

  event(name: string, properties: JsonObject): PlanVerdict {
    const event = this.#byName.get(name)
    if (event !== undefined && !event.deprecated && event.validate(properties)) {
      this.#stats.checked++
      this.#stats.passed++
      return { action: 'send', name, properties, issues: NO_ISSUES, planVersion: this.#version }
    }
    return this.#guard(name, properties, () => this.#slowEvent(name, properties ?? {}, event))
  }

  people(operation: string, value: JsonValue): PlanVerdict<JsonValue> {
    const profile = this.plan.compiled.people
    if (profile === undefined || this.#validSet(profile, operation, value))
      return this.#pass(operation, value)
    return this.#guard(operation, value, () => this.#profile(operation, operation, value, profile))
  }

  group(groupKey: string, operation: string, value: JsonValue): PlanVerdict<JsonValue> {
    const groups = this.plan.compiled.groups
    if (groups === undefined) return this.#pass(groupKey, value)
    const profile = groups.get(groupKey)
    if (profile === undefined) {
      return this.#guard(groupKey, value, () =>
        this.#decide<JsonValue>(
          groupKey,
          undefined,
          [
            {
              code: 'unplanned_group',
              path: 'group',
              message: `group key ${JSON.stringify(groupKey)} is not in the plan`,
              segments: [],
            },
          ],
          value,
          () => [],
        ),
      )
    }
    if (this.#validSet(profile, operation, value)) return this.#pass(groupKey, value)
    return this.#guard(groupKey, value, () => this.#profile(groupKey, operation, value, profile))
  }

  stats(): PlanEnforcerStats {
    return { ...this.#stats, issues: { ...this.#stats.issues } }
  }

  #pass<P extends JsonValue>(name: string, value: P): PlanVerdict<P> {
    this.#stats.checked++
    this.#stats.passed++
    return { action: 'send', name, properties: value, issues: NO_ISSUES, planVersion: this.#version }
  }

  #validSet(profile: CompiledProfile, operation: string, value: JsonValue): boolean {
    return (
      (operation === '$set' || operation === '$set_once') && isObject(value) && profile.validateSet(value)
    )
  }

  #guard<P extends JsonValue>(name: string, value: P, run: () => PlanVerdict<P>): PlanVerdict<P> {
    try {
      return run()
    } catch (error) {
      this.#logger.error({ err: error, name }, 'tracking plan check failed; the call is sent unchanged')
      return this.#pass(name, value)
    }
  }

  #slowEvent(name: string, properties: JsonObject, exact: CompiledEvent | undefined): PlanVerdict {
    const compiled = this.plan.compiled
    const nameFound: Found[] = []
    let event = exact
    if (event === undefined) {
      const alias = compiled.byAlias.get(name)
      const near = alias === undefined ? compiled.byFold.get(foldName(name)) : undefined
      event = alias ?? near?.event
      if (event !== undefined) {
        nameFound.push(
          alias !== undefined || near?.viaAlias
            ? issue(
                'alias_used',
                'event',
                `${JSON.stringify(name)} is an old name of ${JSON.stringify(event.name)}`,
              )
            : issue(
                'name_case_mismatch',
                'event',
                `${JSON.stringify(name)} is planned as ${JSON.stringify(event.name)}`,
              ),
        )
      }
    }
    if (event === undefined) {
      const found = [issue('unplanned_event', 'event', `event ${JSON.stringify(name)} is not in the plan`)]
      return this.#decide(name, undefined, found, properties, () => [])
    }
    if (event.deprecated) {
      const instead =
        event.replacedBy === undefined ? '' : `; send ${JSON.stringify(event.replacedBy)} instead`
      nameFound.push(
        issue('deprecated_event', 'event', `event ${JSON.stringify(event.name)} is deprecated${instead}`),
      )
    }
    const validate = event.validate
    const check: Check<JsonObject> = (value) => {
      const out: Found[] = []
      if (!validate(value))
        collectErrors(validate.errors ?? [], value, { path: 'properties', segments: [] }, out)
      return out
    }
    return this.#decide(name, event.name, nameFound, properties, check)
  }

  #profile(
    name: string,
    operation: string,
    value: JsonValue,
    profile: CompiledProfile,
  ): PlanVerdict<JsonValue> {
    return this.#decide<JsonValue>(name, undefined, [], value, (v) => checkProfile(profile, operation, v))
  }

  /**
   * Applies the policy: repairs what `'fix'` covers (up to three rounds, re-checking after each),
   * then takes the most severe action among the issues left.
   */
  #decide<P extends JsonValue>(
    calledName: string,
    canonicalName: string | undefined,
    nameFound: readonly Found[],
    value: P,
    check: Check<P>,
  ): PlanVerdict<P> {
    const policy = this.policy
    const issues: PlanIssue[] = []
    let worst = 0
    let sendName = calledName
    let repaired = false
    for (const f of nameFound) {
      const action = policy[f.code]
      if (
        action === 'fix' &&
        canonicalName !== undefined &&
        (f.code === 'alias_used' || f.code === 'name_case_mismatch')
      ) {
        sendName = canonicalName
        repaired = true
        issues.push(toIssue(f, true))
      } else {
        issues.push(toIssue(f, false))
        worst = Math.max(worst, SEVERITY[action])
      }
    }
    let current = value
    let found = check(current)
    const tried = new Set<string>()
    for (let round = 0; round < 3 && found.length > 0; round++) {
      const toFix = found.filter(
        (f) => policy[f.code] === 'fix' && FIXABLE_CODES.has(f.code) && !tried.has(keyOf(f)),
      )
      if (toFix.length === 0) break
      for (const f of toFix) tried.add(keyOf(f))
      const { value: next, applied } = applyFixes(current, toFix)
      if (applied.length === 0) break
      const again = check(next)
      for (const a of applied) {
        if (!again.some((g) => g.code === a.code && g.path === a.path)) {
          issues.push(toIssue(a, true))
          repaired = true
        }
      }
      current = next
      found = again
    }
    for (const f of found) {
      issues.push(toIssue(f, false))
      worst = Math.max(worst, SEVERITY[policy[f.code]])
    }
    const action = OUTCOME[worst]!
    const stats = this.#stats
    stats.checked++
    if (issues.length === 0) stats.passed++
    for (const i of issues) stats.issues[i.code]++
    if (action === 'drop') stats.dropped++
    else if (action === 'reject') stats.rejected++
    else if (issues.some((i) => !i.fixed)) stats.reported++
    else if (repaired) stats.fixed++
    return {
      action,
      name: sendName,
      properties: current,
      issues: issues.length === 0 ? NO_ISSUES : issues,
      planVersion: this.#version,
    }
  }
}

function issue(code: IssueCode, path: string, message: string): Found {
  return { code, path, message, segments: [] }
}

function keyOf(f: Found): string {
  return `${f.code} ${f.path}`
}
