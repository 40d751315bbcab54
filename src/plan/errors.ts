import { EventwireError } from '../errors/index.js'
import type { PlanIssue } from './types.js'

/** One problem in a plan file, located by JSON pointer (and line/column for files). */
export interface PlanProblem {
  /** JSON pointer into the plan, e.g. `/events/userSignsUp/properties/plan/type` (`''` = the whole plan). */
  readonly pointer: string
  readonly message: string
  /** 1-based line in the file, when known. */
  readonly line?: number
  /** 1-based column in the file, when known. */
  readonly column?: number
  /** Which check found it (`schema`, `duplicate-name`, `case-collision`, ...), for lint output. */
  readonly rule?: string
}

/** Formats a problem as `/pointer (line 3, column 5): message`. */
export function formatProblem(problem: PlanProblem): string {
  const where = problem.pointer === '' ? '(plan)' : problem.pointer
  const at = problem.line === undefined ? '' : ` (line ${problem.line}, column ${problem.column ?? 1})`
  return `${where}${at}: ${problem.message}`
}

/**
 * A tracking plan could not be loaded. Code `EVENTWIRE_INVALID_PLAN`. `file` names the plan file
 * (undefined for a plan given as an object); `problems` lists each problem with its JSON pointer.
 */
export class PlanError extends EventwireError {
  readonly file: string | undefined
  readonly problems: readonly PlanProblem[]

  constructor(file: string | undefined, problems: readonly PlanProblem[], options: { cause?: unknown } = {}) {
    const first = problems.slice(0, 5).map(formatProblem).join('; ')
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : ''
    super('EVENTWIRE_INVALID_PLAN', `Invalid tracking plan ${file ?? '(object)'}: ${first}${more}`, options)
    this.name = 'PlanError'
    this.file = file
    this.problems = problems
  }
}

/**
 * A call broke the tracking plan and the policy rejects it. Code `EVENTWIRE_PLAN_VIOLATION`.
 * Carries the event name (or profile operation) as called, every issue and the plan version.
 */
export class PlanViolationError extends EventwireError {
  /** The event name, profile operation or group key as the caller passed it. */
  readonly event: string
  readonly issues: readonly PlanIssue[]
  readonly planVersion: string

  constructor(event: string, issues: readonly PlanIssue[], planVersion: string) {
    const list = issues
      .filter((issue) => !issue.fixed)
      .slice(0, 5)
      .map((issue) => `${issue.code} at ${issue.path}: ${issue.message}`)
      .join('; ')
    super(
      'EVENTWIRE_PLAN_VIOLATION',
      `${JSON.stringify(event)} breaks tracking plan ${planVersion}: ${list}${issues.length > 5 ? '; ...' : ''}`,
    )
    this.name = 'PlanViolationError'
    this.event = event
    this.issues = issues
    this.planVersion = planVersion
  }
}
