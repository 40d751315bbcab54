import type { EventConsumer } from '../consumers/index.js'
import { type LoggerOption, optionList } from '../internal/index.js'
import type { JsonObject, JsonValue, Message } from '../message/index.js'
import {
  createPlanEnforcer,
  loadPlan,
  type PlanEnforcer,
  type PlanInput,
  type PlanPolicy,
  type PlanVerdict,
  type PlanViolation,
  PlanViolationError,
} from '../plan/index.js'

/** Options that put a tracking plan in front of every call. */
export interface PlanGateOptions {
  /** A compiled plan (`loadPlan()`), a plan document, or the path of a JSON/YAML plan file. */
  plan?: PlanInput
  /**
   * What to do per issue kind: `'send'`, `'fix'`, `'drop'` or `'reject'` (one for all, or per
   * issue code). @default by NODE_ENV — see docs/tracking-plan.md
   */
  planPolicy?: PlanPolicy
  /** Called for every call that has plan issues (repaired ones included). */
  onViolation?: (violation: PlanViolation) => void
}

/** The names of {@link PlanGateOptions}. */
export const PLAN_GATE_OPTIONS = optionList<PlanGateOptions>()({
  plan: true,
  planPolicy: true,
  onViolation: true,
})

/**
 * A call the plan policy drops, as building it returns it (in place of its message): the client
 * reports the message to the consumer as dropped with reason `plan_violation`, and resolves the
 * call.
 */
export class PlanDrop {
  constructor(
    /** The message the call would have sent. */
    readonly message: Message,
    readonly violation: PlanViolation,
  ) {}

  /** Counts and reports the message to `consumer` as dropped with reason `plan_violation`. */
  reportTo(consumer: EventConsumer): void {
    const reason = new Error(`${this.violation.name} dropped by the tracking plan`)
    consumer.drop?.(this.message.kind, [this.message], 'plan_violation', reason)
  }
}

/** What the gate lets through: the (possibly repaired) name and properties, and whether to drop. */
export interface GateResult<P> {
  name: string
  value: P
  violation: PlanViolation | undefined
}

/**
 * Applies a tracking plan to calls before messages are built: reports violations, repairs under
 * `'fix'`, throws `PlanViolationError` under `'reject'` (the call is refused), and marks drops.
 */
export class PlanGate {
  readonly enforcer: PlanEnforcer
  readonly #onViolation: (violation: PlanViolation) => void

  constructor(enforcer: PlanEnforcer, onViolation: (violation: PlanViolation) => void) {
    this.enforcer = enforcer
    this.#onViolation = onViolation
  }

  event(name: string, properties: JsonObject): GateResult<JsonObject> {
    return this.#apply('event', name, this.enforcer.event(name, properties))
  }

  people(operation: string, value: JsonValue): GateResult<JsonValue> {
    return this.#apply('people', operation, this.enforcer.people(operation, value))
  }

  group(groupKey: string, operation: string, value: JsonValue): GateResult<JsonValue> {
    return this.#apply('groups', groupKey, this.enforcer.group(groupKey, operation, value))
  }

  #apply<P extends JsonValue>(
    kind: PlanViolation['kind'],
    called: string,
    verdict: PlanVerdict<P>,
  ): GateResult<P> {
    if (verdict.issues.length === 0)
      return { name: verdict.name, value: verdict.properties, violation: undefined }
    const violation: PlanViolation = {
      kind,
      name: called,
      sentName: verdict.name,
      action: verdict.action,
      issues: verdict.issues,
      planVersion: verdict.planVersion,
    }
    this.#onViolation(violation)
    if (verdict.action === 'reject') throw new PlanViolationError(called, verdict.issues, verdict.planVersion)
    return {
      name: verdict.name,
      value: verdict.properties,
      violation: verdict.action === 'drop' ? violation : undefined,
    }
  }
}

/** Builds the gate from client options; undefined when no plan is configured. */
export function createPlanGate(
  options: PlanGateOptions,
  onViolation: (violation: PlanViolation) => void,
  logger?: LoggerOption,
): PlanGate | undefined {
  if (options.plan === undefined) return undefined
  const enforcer = createPlanEnforcer(loadPlan(options.plan), { policy: options.planPolicy, logger })
  return new PlanGate(enforcer, onViolation)
}
