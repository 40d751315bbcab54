import { createPlanEnforcer, type TrackingPlan } from '../plan/index.js'
import type { EventValidator } from './validators.js'

/**
 * Builds the validator that checks events and profile updates against a loaded tracking plan.
 * The enforcer runs with the `send` policy: the collector only collects issues, it never repairs
 * or drops what it received.
 */
export function createPlanValidator(plan: TrackingPlan): EventValidator {
  const enforcer = createPlanEnforcer(plan, { policy: 'send' })
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
