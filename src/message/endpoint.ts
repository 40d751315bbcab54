/**
 * Which Mixpanel endpoint a message is for: `events` → /track, `people` → /engage,
 * `groups` → /groups, `imports` → /import.
 */
export type Endpoint = 'events' | 'people' | 'groups' | 'imports'

/** Every endpoint, in a stable order. */
export const ENDPOINTS: readonly Endpoint[] = ['events', 'people', 'groups', 'imports']

/** True when `value` names one of the four endpoints. */
export function isEndpoint(value: unknown): value is Endpoint {
  return value === 'events' || value === 'people' || value === 'groups' || value === 'imports'
}

/**
 * Why a message was dropped. Every drop is counted under one of these. `store_failed`: the store
 * failed to keep a message; `corrupt`: a durable store held a row or entry that cannot be read
 * back as a message (damaged on disk or written by something else), and removed it.
 */
export type DropReason =
  | 'rejected'
  | 'too_large'
  | 'retries_exhausted'
  | 'queue_full'
  | 'plan_violation'
  | 'closed'
  | 'store_failed'
  | 'corrupt'
