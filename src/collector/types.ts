import type { JsonObject, JsonValue } from '../internal/index.js'

/** Which protocol an item arrived through. */
export type ItemSource = 'mixpanel' | 'snowplow'

/** What an item is: an event, a user profile update (`/engage`) or a group profile update (`/groups`). */
export type ItemKind = 'event' | 'user' | 'group'

/**
 * One problem found in an item. `source` says who raised it: `mixpanel` (Mixpanel's ingestion
 * rules: the item would be refused), `snowplow` (the payload_data schema or Snowplow encodings) or
 * `plan` (the tracking plan).
 */
export interface CollectorIssue {
  /** Stable, machine-readable code, e.g. `too_many_properties` or a tracking-plan code. */
  code: string
  /** Where the problem is, e.g. `properties.$insert_id`; empty for the whole item. */
  path: string
  /** A human-readable explanation. */
  message: string
  /** Who raised the issue. */
  source: 'mixpanel' | 'snowplow' | 'plan'
}

/** An item decoded from a request, before it is stored. */
export interface NewItem {
  source: ItemSource
  /**
   * The path it arrived on: `/track`, `/import`, `/engage`, `/groups`,
   * `/com.snowplowanalytics.snowplow/tp2` or `/i`.
   */
  endpoint: string
  kind: ItemKind
  /** Event name; for profile updates the operations (e.g. `$set`). */
  name: string | null
  /** The user (events, user updates) or the group id (group updates). */
  distinctId: string | null
  /** The group key of a group update (e.g. `company_id`). */
  groupKey: string | null
  /** `$insert_id` (Mixpanel) or `eid` (Snowplow). */
  insertId: string | null
  /** Event time in milliseconds since the epoch, when the item carries one. */
  time: number | null
  issues: CollectorIssue[]
  /** The record exactly as it was decoded from the request. */
  payload: JsonValue
  /** Snowplow only: `ue_px`/`ue_pr` and `cx`/`co` decoded to JSON. */
  decoded?: JsonObject
  /** `payload` as JSON text, when already serialised (saves a second serialisation). */
  json?: string
  /**
   * Mixpanel's verdict: false when a Mixpanel rule refuses the item (it would not be ingested).
   * Plan issues alone keep an item accepted but mark it bad.
   */
  accepted: boolean
}

/** An item as stored and served by the REST API and the stream. */
export interface StoredItem {
  /** Increasing id, in arrival order. */
  id: number
  /** When the collector received it, in milliseconds since the epoch. */
  receivedAt: number
  source: ItemSource
  endpoint: string
  kind: ItemKind
  name: string | null
  distinctId: string | null
  groupKey: string | null
  insertId: string | null
  time: number | null
  /** True when the item has no issues ("good"); false when it has any ("bad"). */
  valid: boolean
  issues: CollectorIssue[]
  payload: JsonValue
  decoded?: JsonObject
}

/** A materialised user or group profile. */
export interface StoredProfile {
  kind: 'user' | 'group'
  /** For group profiles, the group key (e.g. `company_id`). */
  groupKey: string | null
  /** The distinct id (users) or group id (groups). */
  id: string
  properties: JsonObject
  /** Last update, in milliseconds since the epoch. */
  updatedAt: number
}

/** Counters served by `GET /_/stats` and `collector.stats()`. */
export interface CollectorStats {
  /** Events stored (Mixpanel and Snowplow), good and bad. */
  events: number
  /** Events without issues. */
  good: number
  /** Events with at least one issue. */
  bad: number
  /** Profile and group updates stored, good and bad. */
  updates: number
  /** Profile and group updates with at least one issue. */
  badUpdates: number
  /** User profiles that currently exist. */
  profiles: number
  /** Group profiles that currently exist. */
  groupProfiles: number
  /** Ingestion requests received, including refused and fault-injected ones. */
  requests: number
  /** Distinct `$insert_id` / `eid` values among stored events. */
  uniqueInsertIds: number
}
