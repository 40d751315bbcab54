import type { IssueCode, PlanIssue } from '../errors/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'

export type { IssueCode, PlanIssue }

/** A JSON Schema type name allowed in a tracking plan. */
export type PlanTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null'

/**
 * One property in a tracking plan: a subset of JSON Schema (draft-07). Nested objects inherit the
 * `additionalProperties` policy of the event (or profile) that holds them unless they set their own.
 */
export interface PropertySchema {
  type?: PlanTypeName | PlanTypeName[]
  title?: string
  description?: string
  examples?: JsonValue[]
  /** Marks the property as on its way out (documentation and generated types only). */
  deprecated?: boolean
  enum?: JsonValue[]
  const?: JsonValue
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  items?: PropertySchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  properties?: Record<string, PropertySchema>
  required?: string[]
  additionalProperties?: boolean
}

/** One planned event, keyed in the plan by its code name (`userSignsUp`). */
export interface EventSpec {
  /** The display name sent to Mixpanel, e.g. `User signs up`. */
  name: string
  description?: string
  /** Who answers questions about the event: an e-mail address or a team name. */
  owner?: string
  tags?: string[]
  properties?: Record<string, PropertySchema>
  /** Property names that must be present (in addition to the required common properties). */
  required?: string[]
  /** Whether properties the plan does not declare are allowed. @default the plan's `additionalProperties` */
  additionalProperties?: boolean
  /** The event should no longer be sent. */
  deprecated?: boolean
  /** Code name or display name of the event that replaces this one. */
  replacedBy?: string
  /** Other names this event is still sent under (old names, misspellings); `'fix'` renames them. */
  aliases?: string[]
}

/** Properties sent with every event. */
export interface CommonPropertiesSpec {
  description?: string
  properties: Record<string, PropertySchema>
  required?: string[]
}

/** User or group profile properties. */
export interface ProfileSpec {
  /** Display name of a group type (groups only). */
  name?: string
  description?: string
  properties: Record<string, PropertySchema>
  /** Whether profile properties the plan does not declare are allowed. @default the plan's `additionalProperties` */
  additionalProperties?: boolean
}

/** The plan file, as written (JSON or YAML). Its JSON Schema is `schemas/tracking-plan.schema.json`. */
export interface PlanDocument {
  $schema?: string
  /** The plan's version, sent with violations, e.g. `"2.3.0"`. */
  version: string
  title?: string
  description?: string
  /** Default policy for properties the plan does not declare. @default false */
  additionalProperties?: boolean
  commonProperties?: CommonPropertiesSpec
  /** Events keyed by code name. */
  events: Record<string, EventSpec>
  /** User profile properties. Without this section profile updates are not checked. */
  people?: ProfileSpec
  /** Group profile properties per group key. Without this section group updates are not checked. */
  groups?: Record<string, ProfileSpec>
}

/** Every issue code, in a stable order. */
export const ISSUE_CODES: readonly IssueCode[] = [
  'unplanned_event',
  'alias_used',
  'name_case_mismatch',
  'deprecated_event',
  'missing_property',
  'unplanned_property',
  'property_case_mismatch',
  'invalid_type',
  'invalid_value',
  'unplanned_group',
]

/** What to do with a call that has an issue of a given kind. */
export type PlanAction = 'send' | 'fix' | 'drop' | 'reject'

/**
 * Policy per issue kind: one action for every code, or a map of codes (plus an optional `default`)
 * whose missing codes take the environment's default (see {@link defaultPolicy}).
 */
export type PlanPolicy = PlanAction | ({ default?: PlanAction } & Partial<Record<IssueCode, PlanAction>>)

/** The enforcer's decision for one call. */
export interface PlanVerdict<P extends JsonValue = JsonObject> {
  /** `send` (possibly repaired, possibly with reported issues), `drop` (do not send, count) or `reject`. */
  readonly action: 'send' | 'drop' | 'reject'
  /** The name to send: the canonical display name when the name was fixed. For profiles: the operation or group key. */
  readonly name: string
  /** The properties to send (repaired copies when fixed); for profile updates, the operation value. */
  readonly properties: P
  /** Every issue found, the repaired ones marked `fixed`. Empty (and shared, frozen) for valid calls. */
  readonly issues: readonly PlanIssue[]
  readonly planVersion: string
}
