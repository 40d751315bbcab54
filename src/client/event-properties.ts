import type { JsonObject } from '../message/index.js'
import type { PlanViolation } from '../plan/index.js'
import { IsoDates } from './dates.js'
import { checkPropertyCount } from './limits.js'
import type { PlanGate } from './plan-gate.js'
import { PropertyWalk } from './property-walk.js'

/** Properties the client sets itself; a caller's values for them are read, never copied. */
const RESERVED_KEYS = ['token', 'distinct_id', 'time', '$insert_id'] as const

function isReservedEventKey(key: string): boolean {
  return key === 'token' || key === 'distinct_id' || key === 'time' || key === '$insert_id'
}

/** token, distinct_id, time, $insert_id, mp_lib, $lib_version. */
const DEFAULT_EVENT_KEYS = 6

/** What {@link eventProperties} returns. */
export interface EventProperties {
  /** The event name to send: the one called, or the plan's when it repaired it. */
  readonly name: string
  /** JSON-safe values (or undefined, for keys left out), owned by the event. */
  readonly values: JsonObject
  /**
   * At least the UTF-8 byte length of `JSON.stringify(values)`; Infinity when not known (values
   * the plan repaired), so the message is measured.
   */
  readonly maxJsonBytes: number
  /** The violation, when the plan policy drops the call. */
  readonly dropped: PlanViolation | undefined
}

/**
 * The snapshot walks of one client: one walk, reused call after call (a walk is a dozen fields,
 * allocated per `track()` otherwise), and a new one for a call made while it is in use (a
 * `toJSON` that tracks) or after a walk that threw. Dates are formatted by one `IsoDates`.
 */
export class SnapshotWalks {
  readonly #dates = new IsoDates()
  #idle: PropertyWalk | undefined

  /** A walk of nothing yet; give it back with {@link give} once its results are read. */
  take(): PropertyWalk {
    const walk = this.#idle
    if (walk === undefined) return new PropertyWalk(true, this.#dates)
    this.#idle = undefined
    return walk
  }

  give(walk: PropertyWalk): void {
    walk.reset()
    this.#idle = walk
  }
}

/**
 * An event's properties as they will be sent, taken when `track()` is called: one walk of the
 * caller's properties into a snapshot the event owns (see `PropertyWalk`), so later changes to
 * the caller's objects cannot reach the event, however late it is serialised. The properties the
 * client sets itself (`token`, `distinct_id`, `time`, `$insert_id`) are left out, and its six
 * count towards Mixpanel's 255-property limit.
 *
 * With a tracking plan (`gate`), the plan checks that same snapshot, the caller's `time` and
 * `$insert_id` included, as given; its repairs replace it, and a drop is returned in `dropped`.
 * @throws {ValidationError} for properties the mapping or Mixpanel's limits refuse, and
 *   `PlanViolationError` when the plan policy rejects the call.
 */
export function eventProperties(
  name: string,
  properties: unknown,
  walks: SnapshotWalks,
  gate: PlanGate | undefined,
): EventProperties {
  const walk = walks.take()
  if (gate === undefined) {
    const values = walk.walk(properties, isReservedEventKey)
    const { count } = walk
    const maxJsonBytes = walk.maxJsonBytes()
    walks.give(walk)
    checkPropertyCount(count + DEFAULT_EVENT_KEYS, DEFAULT_EVENT_KEYS)
    return { name, values, maxJsonBytes, dropped: undefined }
  }
  const walked = walk.walk(properties)
  const { count } = walk
  checkPropertyCount(count, 0)
  // Keys set to undefined would count as present for the plan's schemas.
  walk.compact()
  const maxJsonBytes = walk.maxJsonBytes()
  walks.give(walk)
  const gated = gate.event(name, walked)
  const repaired = gated.value !== walked
  const values = gated.value as Record<string, unknown>
  const kept = (repaired ? countKept(values) : count) - leaveOutReserved(values)
  checkPropertyCount(kept + DEFAULT_EVENT_KEYS, DEFAULT_EVENT_KEYS)
  return {
    name: gated.name,
    values: values as JsonObject,
    // Repairs only rename, remove and convert values, so nothing gets deeper or longer than the
    // walk allowed; but converted values may be longer than those it counted.
    maxJsonBytes: repaired ? Number.POSITIVE_INFINITY : maxJsonBytes,
    dropped: gated.violation,
  }
}

/** How many keys of `values` have a value. */
function countKept(values: Record<string, unknown>): number {
  let count = 0
  for (const key in values) if (Object.hasOwn(values, key) && values[key] !== undefined) count++
  return count
}

/** Sets the keys the client sets itself to undefined (omitted); returns how many had a value. */
function leaveOutReserved(values: Record<string, unknown>): number {
  let count = 0
  for (const key of RESERVED_KEYS) {
    if (Object.hasOwn(values, key) && values[key] !== undefined) {
      values[key] = undefined
      count++
    }
  }
  return count
}
