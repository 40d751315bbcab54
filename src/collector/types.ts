import type { JsonObject, JsonValue } from '../message/index.js'

/** Which protocol an item arrived through. */
export type ItemSource = 'mixpanel' | 'snowplow'

/** What an item is: an event, a user profile update (`/engage`) or a group profile update (`/groups`). */
export type ItemKind = 'event' | 'user' | 'group'

/**
 * One problem found in an item. `source` says who raised it (see {@link IssueSource}).
 */
export interface CollectorIssue {
  /** Stable, machine-readable code, e.g. `too_many_properties` or a tracking-plan code. */
  code: string
  /** Where the problem is, e.g. `properties.$insert_id`; empty for the whole item. */
  path: string
  /** A human-readable explanation. */
  message: string
  /** Who raised the issue. */
  source: IssueSource
}

/**
 * Who raised an issue: `mixpanel` (Mixpanel's ingestion rules), `snowplow` (payload_data and
 * Snowplow encodings), `iglu` (the user's Iglu schemas, `--iglu`) or `plan` (the tracking plan).
 * Issues from the first three mean the item would be refused; plan issues do not.
 */
export type IssueSource = 'mixpanel' | 'snowplow' | 'iglu' | 'plan'

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

/** A new item of `kind` from `source`, accepted, with nothing read from its payload yet. */
export function newItem(
  source: ItemSource,
  endpoint: string,
  kind: ItemKind,
  payload: JsonValue,
  issues: CollectorIssue[],
): NewItem {
  return {
    source,
    endpoint,
    kind,
    name: null,
    distinctId: null,
    groupKey: null,
    insertId: null,
    time: null,
    issues,
    payload,
    accepted: true,
  }
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
  /**
   * The receiver's verdict: false when Mixpanel's (or Snowplow's, or the Iglu schemas') rules
   * refuse the item; true when it would be ingested, even with tracking-plan issues.
   */
  accepted: boolean
  /** The ingestion request it arrived in (`GET /_/requests/:id`); null for items stored before requests were kept. */
  requestId: number | null
  issues: CollectorIssue[]
  payload: JsonValue
  decoded?: JsonObject
}

/**
 * What an item's issues amount to: `good` (none), `refused` (a receiver would refuse it) or
 * `violation` (accepted, but the tracking plan flags it).
 */
export type Verdict = 'good' | 'refused' | 'violation'

/** One ingestion request as received and answered, credentials removed (`GET /_/requests/:id`). */
export interface StoredRequest {
  id: number
  /** When it arrived, in milliseconds since the epoch. */
  receivedAt: number
  method: string
  /** Path and query string; credential parameters (`api_key`, `api_secret`...) are redacted. */
  url: string
  /** Request headers; `authorization`, `cookie` and similar headers are redacted. */
  headers: Record<string, string>
  /** The body as text (gzip decoded), cut at {@link REQUEST_BODY_LIMIT} characters; credentials in form fields are redacted. */
  body: string
  /** The body's size in bytes (after gzip decoding). */
  bodyBytes: number
  /** True when `body` was cut short. */
  bodyTruncated: boolean
  /** The answer sent back. */
  response: { status: number; headers: Record<string, string>; body: string }
  /** How many items the request stored. */
  items: number
}

/** Longest request body kept with a request, in characters. */
export const REQUEST_BODY_LIMIT = 256 * 1024

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
  /** Events and updates a receiver would refuse (a subset of `bad` + `badUpdates`). */
  refused: number
}
