import { ValidationError } from '../errors/index.js'
import { checkOptions } from '../internal/index.js'
import type { JsonObject, JsonValue, Message } from '../message/index.js'
import { type MessageBuilder, PROFILE_MODIFIERS, type ProfileModifiers } from './message-builder.js'
import type { PlanDrop, PlanGate } from './plan-gate.js'
import { sanitizeProperties } from './property-walk.js'

type Send = (build: () => Message | PlanDrop) => Promise<void>
type Builder = MessageBuilder<PlanGate | undefined>

/** Properties of a profile update: any JSON-serialisable values (see docs/properties.md). */
export type ProfileProperties = Record<string, unknown>

/**
 * User profile updates (`/engage`). Every update carries the client's profile defaults
 * (`$ip: 0`, `$ignore_time: true` unless configured otherwise), overridable per call. An unknown
 * key in a call's `options` rejects that call with a `ConfigError` naming it (and the option
 * meant, when one is close).
 */
export class People<UserProps extends ProfileProperties = ProfileProperties> {
  readonly #builder: Builder
  readonly #send: Send

  /** @internal */
  constructor(builder: Builder, send: Send) {
    this.#builder = builder
    this.#send = send
  }

  /** `$set`: sets properties, overwriting existing values. */
  set(distinctId: string, properties: Partial<UserProps>, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.set', distinctId, '$set', () => objectOf(properties), options)
  }

  /** `$set_once`: sets properties only where not already set. */
  setOnce(distinctId: string, properties: Partial<UserProps>, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.setOnce', distinctId, '$set_once', () => objectOf(properties), options)
  }

  /** `$add`: adds numbers (negative to decrement); a missing property counts as 0. */
  increment(
    distinctId: string,
    properties: Record<string, number>,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('people.increment', distinctId, '$add', () => numbersOf(properties), options)
  }

  /** `$append`: appends values to list properties (duplicates kept). */
  append(distinctId: string, properties: ProfileProperties, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.append', distinctId, '$append', () => objectOf(properties), options)
  }

  /** `$union`: adds values to list properties, skipping those already present. */
  union(
    distinctId: string,
    properties: Record<string, readonly unknown[]>,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('people.union', distinctId, '$union', () => listsOf(properties), options)
  }

  /** `$remove`: removes a value from list properties. */
  remove(distinctId: string, properties: ProfileProperties, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.remove', distinctId, '$remove', () => objectOf(properties), options)
  }

  /** `$unset`: removes properties from the profile. */
  unset(distinctId: string, propertyNames: readonly string[], options?: ProfileModifiers): Promise<void> {
    return this.#op('people.unset', distinctId, '$unset', () => namesOf(propertyNames), options)
  }

  /** `$delete`: deletes the profile (not the user's events). `ignoreAlias` keeps aliased profiles. */
  delete(distinctId: string, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.delete', distinctId, '$delete', () => '', options)
  }

  /** Records a purchase: appends `{ $amount, $time, ...properties }` to `$transactions`. */
  trackCharge(
    distinctId: string,
    amount: number,
    properties?: ProfileProperties,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op(
      'people.trackCharge',
      distinctId,
      '$append',
      () => {
        if (typeof amount !== 'number' || !Number.isFinite(amount)) {
          throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'amount must be a finite number', 'amount')
        }
        const extra = sanitizeProperties(properties)
        const time =
          typeof extra.$time === 'string' ? extra.$time : new Date(this.#builder.now()).toISOString()
        return { $transactions: { ...extra, $time: time, $amount: amount } }
      },
      options,
    )
  }

  /** Removes all recorded charges (`$unset` of `$transactions`). */
  clearCharges(distinctId: string, options?: ProfileModifiers): Promise<void> {
    return this.#op('people.clearCharges', distinctId, '$unset', () => ['$transactions'], options)
  }

  #op(
    method: string,
    distinctId: string,
    operation: string,
    value: () => JsonValue,
    options: ProfileModifiers | undefined,
  ) {
    return this.#send(() => {
      checkOptions(options, PROFILE_MODIFIERS, method)
      return this.#builder.people(method, distinctId, operation, value(), options)
    })
  }
}

/**
 * Group profile updates (`/groups`). Supports the operations Mixpanel documents for groups. Their
 * `options` are checked as those of {@link People}.
 */
export class Groups {
  readonly #builder: Builder
  readonly #send: Send

  /** @internal */
  constructor(builder: Builder, send: Send) {
    this.#builder = builder
    this.#send = send
  }

  /** `$set` on the group profile. */
  set(
    groupKey: string,
    groupId: string | number,
    properties: ProfileProperties,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('groups.set', groupKey, groupId, '$set', () => objectOf(properties), options)
  }

  /** `$set_once` on the group profile. */
  setOnce(
    groupKey: string,
    groupId: string | number,
    properties: ProfileProperties,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('groups.setOnce', groupKey, groupId, '$set_once', () => objectOf(properties), options)
  }

  /** `$union` on list properties of the group profile. */
  union(
    groupKey: string,
    groupId: string | number,
    properties: Record<string, readonly unknown[]>,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('groups.union', groupKey, groupId, '$union', () => listsOf(properties), options)
  }

  /** `$remove` a value from list properties of the group profile. */
  remove(
    groupKey: string,
    groupId: string | number,
    properties: ProfileProperties,
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('groups.remove', groupKey, groupId, '$remove', () => objectOf(properties), options)
  }

  /** `$unset` properties of the group profile. */
  unset(
    groupKey: string,
    groupId: string | number,
    propertyNames: readonly string[],
    options?: ProfileModifiers,
  ): Promise<void> {
    return this.#op('groups.unset', groupKey, groupId, '$unset', () => namesOf(propertyNames), options)
  }

  /** `$delete` the group profile. */
  delete(groupKey: string, groupId: string | number, options?: ProfileModifiers): Promise<void> {
    return this.#op('groups.delete', groupKey, groupId, '$delete', () => '', options)
  }

  #op(
    method: string,
    groupKey: string,
    groupId: string | number,
    operation: string,
    value: () => JsonValue,
    options: ProfileModifiers | undefined,
  ) {
    return this.#send(() => {
      checkOptions(options, PROFILE_MODIFIERS, method)
      return this.#builder.group(groupKey, groupId, operation, value(), options)
    })
  }
}

function objectOf(properties: unknown): JsonObject {
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
    throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', 'properties must be a plain object', 'properties')
  }
  return sanitizeProperties(properties)
}

function numbersOf(properties: unknown): JsonObject {
  const out = objectOf(properties)
  for (const [key, value] of Object.entries(out)) {
    if (typeof value !== 'number') {
      throw new ValidationError(
        'EVENTWIRE_INVALID_ARGUMENT',
        '$add needs a finite number',
        `properties.${key}`,
      )
    }
  }
  return out
}

function listsOf(properties: unknown): JsonObject {
  const out = objectOf(properties)
  for (const [key, value] of Object.entries(out)) {
    if (!Array.isArray(value))
      throw new ValidationError('EVENTWIRE_INVALID_ARGUMENT', '$union needs a list', `properties.${key}`)
  }
  return out
}

function namesOf(names: unknown): JsonValue {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      'expected a list of property names',
      'propertyNames',
    )
  }
  return names as string[]
}
