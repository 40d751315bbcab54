import type { ItemQuery } from './item-query.js'
import type { CollectorStats, NewItem, StoredItem, StoredProfile, StoredRequest } from './types.js'

/** A request to record, before it has an id (see {@link StoredRequest}). */
export type NewRequest = Omit<StoredRequest, 'id' | 'receivedAt' | 'items'>

/** A profile touched by an ingested batch. */
export interface ProfileChange {
  kind: 'user' | 'group'
  groupKey: string | null
  id: string
  deleted: boolean
}

/** Events received in one time bucket (`GET /_/timeline`). */
export interface TimelineBucket {
  /** Start of the bucket, in milliseconds since the epoch. */
  t: number
  good: number
  bad: number
}

/** Filters without paging, for counts and full scans. */
export type ItemFilter = Omit<ItemQuery, 'limit' | 'order' | 'after' | 'before'>

/**
 * Where the collector keeps items, requests and profiles. Two implementations: in memory (no
 * dependency) and SQLite (`node:sqlite`, or better-sqlite3 on Node.js 20). Methods are synchronous (one request is one atomic step) and throw only on storage
 * failures, which the router answers with 500.
 */
export interface CollectorStorage {
  /** `memory` or the database file. */
  readonly location: string
  /**
   * Stores one request and its items atomically: counts the request, inserts the items, records
   * their insert ids and applies accepted profile updates in order.
   */
  ingest(items: NewItem[], request: NewRequest, receivedAt: number): IngestResult
  /** Records (and counts) a request that stored nothing: refused, malformed or fault-injected. Returns its id. */
  recordRequest(request: NewRequest, receivedAt: number): number
  /** Items matching `query`. */
  listItems(query: ItemQuery): StoredItem[]
  /** How many items match `filter`. */
  countItems(filter: ItemFilter): number
  /** Calls `visit` with every item matching `filter`, oldest first, until it returns false. */
  eachItem(filter: ItemFilter, visit: (item: StoredItem) => boolean | undefined): void
  /** One item, or undefined. */
  getItem(id: number): StoredItem | undefined
  /** One request, or undefined. */
  getRequest(id: number): StoredRequest | undefined
  /** The most recent requests, newest first. */
  listRequests(limit: number): StoredRequest[]
  /** One user (`groupKey` null) or group profile, or undefined when it does not exist. */
  getProfile(kind: 'user' | 'group', groupKey: string | null, id: string): StoredProfile | undefined
  /** The most recently updated profiles of one kind. */
  listProfiles(kind: 'user' | 'group', limit: number): StoredProfile[]
  /** Events received since `since`, counted per `bucketMs`, oldest bucket first (empty buckets left out). */
  timeline(since: number, bucketMs: number): TimelineBucket[]
  /** A snapshot of the counters. */
  stats(): CollectorStats
  /** Deletes every item, request, profile, insert id and counter. */
  reset(): void
  /** Releases the storage. Idempotent. */
  close(): void
}

/** What {@link CollectorStorage.ingest} stored. */
export interface IngestResult {
  items: StoredItem[]
  profiles: ProfileChange[]
  /** The id of the stored request. */
  requestId: number
}

/** Counters at zero. */
export function emptyStats(): CollectorStats {
  return {
    events: 0,
    good: 0,
    bad: 0,
    updates: 0,
    badUpdates: 0,
    profiles: 0,
    groupProfiles: 0,
    requests: 0,
    uniqueInsertIds: 0,
    refused: 0,
  }
}

/** Counts one stored item (not its insert id or profile) into `stats`. */
export function countItem(stats: CollectorStats, item: NewItem, valid: boolean): void {
  if (!item.accepted) stats.refused++
  if (item.kind === 'event') {
    stats.events++
    if (valid) stats.good++
    else stats.bad++
  } else {
    stats.updates++
    if (!valid) stats.badUpdates++
  }
}

/** The stored form of an item just inserted. */
export function toStored(
  id: number,
  at: number,
  item: NewItem,
  valid: boolean,
  requestId: number | null,
): StoredItem {
  const stored: StoredItem = {
    id,
    receivedAt: at,
    source: item.source,
    endpoint: item.endpoint,
    kind: item.kind,
    name: item.name,
    distinctId: item.distinctId,
    groupKey: item.groupKey,
    insertId: item.insertId,
    time: item.time,
    valid,
    accepted: item.accepted,
    requestId,
    issues: item.issues,
    payload: item.payload,
  }
  if (item.decoded !== undefined) stored.decoded = item.decoded
  return stored
}
