import type { Logger } from '../internal/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import type { CollectorIssue } from './types.js'

/** One problem an {@link EventValidator} reports; `path` is relative to the event's properties. */
export interface ValidatorIssue {
  code: string
  path: string
  message: string
}

/**
 * A check run on every event after Mixpanel's own rules, such as a tracking plan. Issues it
 * returns mark the event bad in the collector; they do not change what the sender is answered (a
 * plan violation is not something Mixpanel would refuse). If `validateEvent` throws, the event
 * gets one `validator_error` issue and the error is logged.
 */
export interface EventValidator {
  /** A short name shown in logs, e.g. `plan`. */
  readonly name: string
  /**
   * Checks one event. `properties` are the caller's properties, without the fields SDKs add
   * (`token`, `distinct_id`, `time`, `$insert_id`, `mp_lib`, `$lib_version`).
   */
  validateEvent(name: string, properties: JsonObject): readonly ValidatorIssue[]
  /**
   * Checks one operation of a profile or group update (`$set`, `$union`, ...); `path`s start at the
   * operation (e.g. `$set.email`). Optional.
   */
  validateUpdate?(update: ProfileOperation): readonly ValidatorIssue[]
}

/** One operation of a profile (`kind: 'user'`) or group update, as given to validators. */
export interface ProfileOperation {
  kind: 'user' | 'group'
  /** The group key for group updates. */
  groupKey: string | null
  /** `$set`, `$set_once`, `$add`, `$append`, `$union`, `$remove`, `$unset` or `$delete`. */
  operation: string
  value: JsonValue
}

const SDK_FIELDS = new Set(['token', 'distinct_id', 'time', '$insert_id', 'mp_lib', '$lib_version'])

/** The properties a validator sees: the event's properties without the fields SDKs add. */
export function callerProperties(properties: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const key in properties) if (!SDK_FIELDS.has(key)) out[key] = properties[key]!
  return out
}

/**
 * Runs every validator on one event and appends their issues (source `plan`) to `issues`, with
 * paths prefixed by `prefix` so they point into the stored item (e.g. `properties.`).
 */
export function runValidators(
  validators: readonly EventValidator[],
  name: string,
  properties: JsonObject,
  prefix: string,
  issues: CollectorIssue[],
  logger: Logger,
): void {
  for (const validator of validators) {
    collect(validator, () => validator.validateEvent(name, properties), prefix, issues, logger)
  }
}

/** Runs the validators that check profile updates on each operation of one update. */
export function runUpdateValidators(
  validators: readonly EventValidator[],
  operations: readonly ProfileOperation[],
  issues: CollectorIssue[],
  logger: Logger,
): void {
  for (const validator of validators) {
    const check = validator.validateUpdate
    if (check === undefined) continue
    for (const operation of operations) {
      collect(validator, () => check.call(validator, operation), '', issues, logger)
    }
  }
}

function collect(
  validator: EventValidator,
  run: () => readonly ValidatorIssue[],
  prefix: string,
  issues: CollectorIssue[],
  logger: Logger,
): void {
  let found: readonly ValidatorIssue[]
  try {
    found = run()
  } catch (error) {
    logger.warn({ validator: validator.name, err: (error as Error).message }, 'event validator threw')
    issues.push({
      code: 'validator_error',
      path: '',
      message: `the ${validator.name} validator failed: ${(error as Error).message}`,
      source: 'plan',
    })
    return
  }
  for (const issue of found) {
    issues.push({
      code: String(issue.code),
      path: joinPath(prefix, String(issue.path ?? '')),
      message: String(issue.message),
      source: 'plan',
    })
  }
}

/** Places a validator's path inside the stored item: `properties.x` stays, `x` gets `prefix`. */
function joinPath(prefix: string, path: string): string {
  if (path === '') return prefix.replace(/\.$/, '')
  if (path === 'event' || prefix === '') return path
  const relative = path.startsWith('properties.')
    ? path.slice('properties.'.length)
    : path.startsWith('properties[')
      ? path.slice('properties'.length)
      : path
  return relative.startsWith('[') ? prefix.replace(/\.$/, '') + relative : prefix + relative
}
