import type { JsonObject } from '../message/index.js'
import type { PlanIssue } from './types.js'

/** Name of the event that reports plan violations to a separate consumer. */
export const PLAN_VIOLATION_EVENT = '$plan_violation'

/** Most issues listed in one `$plan_violation` event. */
const MAX_ISSUES = 20

/** A call that had plan issues, as given to `onViolation` and turned into `$plan_violation`. */
export interface PlanViolation {
  /** `event` (track and import), `people` or `groups`. */
  readonly kind: 'event' | 'people' | 'groups'
  /** The event name as called; for profiles, the operation (`$set`) or group key. */
  readonly name: string
  /** The name sent (the canonical display name when it was fixed). */
  readonly sentName: string
  readonly action: 'send' | 'drop' | 'reject'
  readonly issues: readonly PlanIssue[]
  readonly planVersion: string
}

/**
 * Properties of a `$plan_violation` event: `violated_event`, `sent_event`, `violation_kind`,
 * `action`, `issue_codes` (distinct, in order), `issues` (first 20: code, path, message, fixed),
 * `issue_count`, `plan_version`. Property values of the original call are never copied.
 */
export function violationEventProperties(violation: PlanViolation): JsonObject {
  const codes: string[] = []
  for (const issue of violation.issues) if (!codes.includes(issue.code)) codes.push(issue.code)
  return {
    violated_event: violation.name,
    sent_event: violation.sentName,
    violation_kind: violation.kind,
    action: violation.action,
    issue_codes: codes,
    issues: violation.issues.slice(0, MAX_ISSUES).map((issue) => ({
      code: issue.code,
      path: issue.path,
      message: issue.message,
      fixed: issue.fixed === true,
    })),
    issue_count: violation.issues.length,
    plan_version: violation.planVersion,
  }
}
