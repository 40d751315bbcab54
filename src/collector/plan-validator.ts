import type { JsonObject } from '../internal/index.js'
import { createPlanEnforcer, loadPlan, type PlanDocument } from '../plan/index.js'
import type { EventValidator } from './validators.js'

/**
 * Builds the validator that checks events and profile updates against a tracking plan (a JSON or
 * YAML file path, or a plan object). The enforcer runs with the `send` policy: the collector only
 * collects issues, it never repairs or drops what it received.
 *
 * @throws {PlanError} `EVENTWIRE_INVALID_PLAN` when the plan cannot be loaded.
 */
export function createPlanValidator(plan: string | JsonObject): EventValidator {
  const enforcer = createPlanEnforcer(loadPlan(plan as string | PlanDocument), { policy: 'send' })
  return {
    name: 'plan',
    // Mixpanel's own events ($identify, $merge, $experiment_started...) are outside any plan, as in the client.
    validateEvent: (name, properties) =>
      name.startsWith('$') ? [] : enforcer.event(name, properties).issues,
    validateUpdate: (update) =>
      update.kind === 'user'
        ? enforcer.people(update.operation, update.value).issues
        : enforcer.group(update.groupKey ?? '', update.operation, update.value).issues,
  }
}
