import type { JsonObject } from '../message/index.js'
import { type ItemQuery, matchesItem } from './item-query.js'
import { applyUpdate } from './profiles.js'
import {
  type CollectorStorage,
  countItem,
  emptyStats,
  type IngestResult,
  type ItemFilter,
  type NewRequest,
  type ProfileChange,
  type TimelineBucket,
  toStored,
} from './storage.js'
import type { CollectorStats, NewItem, StoredItem, StoredProfile, StoredRequest } from './types.js'

/**
 * The collector's in-memory storage (`db: ':memory:'`, `eventwire dev --memory`): plain arrays and
 * maps, no native module. Everything ends with the process. Items are kept in id order, so id
 * ranges are found by binary search.
 */
export class MemoryStorage implements CollectorStorage {
  readonly location = 'memory'
  #items: StoredItem[] = []
  #requests = new Map<number, StoredRequest>()
  #insertIds = new Set<string>()
  #profiles = new Map<string, StoredProfile>()
  #stats: CollectorStats = emptyStats()
  #nextItem = 1
  #nextRequest = 1

  ingest(items: NewItem[], request: NewRequest, at: number): IngestResult {
    const requestId = this.#addRequest(request, at, items.length)
    const stored: StoredItem[] = []
    const changes = new Map<string, ProfileChange>()
    for (const item of items) {
      const valid = item.issues.length === 0
      const entry = toStored(this.#nextItem++, at, item, valid, requestId)
      this.#items.push(entry)
      stored.push(entry)
      countItem(this.#stats, item, valid)
      if (item.kind === 'event') {
        if (item.insertId !== null && !this.#insertIds.has(item.insertId)) {
          this.#insertIds.add(item.insertId)
          this.#stats.uniqueInsertIds++
        }
      } else if (item.accepted && item.distinctId !== null) {
        const change = this.#applyProfile(item, at)
        changes.set(profileKey(change.kind, change.groupKey, change.id), change)
      }
    }
    return { items: stored, profiles: [...changes.values()], requestId }
  }

  recordRequest(request: NewRequest, at: number): number {
    return this.#addRequest(request, at, 0)
  }

  #addRequest(request: NewRequest, at: number, items: number): number {
    const id = this.#nextRequest++
    this.#requests.set(id, { id, receivedAt: at, ...request, items })
    this.#stats.requests++
    return id
  }

  #applyProfile(item: NewItem, at: number): ProfileChange {
    const kind = item.kind === 'user' ? 'user' : 'group'
    const groupKey = kind === 'group' ? (item.groupKey ?? '') : null
    const id = item.distinctId!
    const key = profileKey(kind, groupKey, id)
    const before = this.#profiles.get(key)
    const after = applyUpdate(before?.properties, item.payload as JsonObject)
    const counter = kind === 'user' ? 'profiles' : 'groupProfiles'
    if (after === undefined) {
      if (before !== undefined) {
        this.#profiles.delete(key)
        this.#stats[counter]--
      }
    } else {
      // Re-inserted so the map stays in update order (most recent last).
      this.#profiles.delete(key)
      this.#profiles.set(key, { kind, groupKey, id, properties: after, updatedAt: at })
      if (before === undefined) this.#stats[counter]++
    }
    return { kind, groupKey, id, deleted: after === undefined }
  }

  listItems(query: ItemQuery): StoredItem[] {
    const items = this.#items
    const ascending = query.after !== undefined || query.order === 'asc'
    let start = query.after === undefined ? 0 : this.#indexAfter(query.after)
    let end = query.before === undefined ? items.length : this.#indexAfter(query.before - 1)
    const out: StoredItem[] = []
    if (ascending) {
      for (; start < end && out.length < query.limit; start++) {
        if (matchesItem(items[start]!, query)) out.push(items[start]!)
      }
    } else {
      for (end--; end >= start && out.length < query.limit; end--) {
        if (matchesItem(items[end]!, query)) out.push(items[end]!)
      }
    }
    return out
  }

  countItems(filter: ItemFilter): number {
    let n = 0
    for (const item of this.#items) if (matchesItem(item, filter)) n++
    return n
  }

  eachItem(filter: ItemFilter, visit: (item: StoredItem) => boolean | undefined): void {
    // A copy of the array: `visit` may run while new items arrive.
    for (const item of this.#items.slice()) {
      if (matchesItem(item, filter) && visit(item) === false) return
    }
  }

  getItem(id: number): StoredItem | undefined {
    const index = this.#indexAfter(id - 1)
    const item = this.#items[index]
    return item?.id === id ? item : undefined
  }

  getRequest(id: number): StoredRequest | undefined {
    return this.#requests.get(id)
  }

  listRequests(limit: number): StoredRequest[] {
    return [...this.#requests.values()].slice(-limit).reverse()
  }

  getProfile(kind: 'user' | 'group', groupKey: string | null, id: string): StoredProfile | undefined {
    return this.#profiles.get(profileKey(kind, kind === 'group' ? (groupKey ?? '') : null, id))
  }

  listProfiles(kind: 'user' | 'group', limit: number): StoredProfile[] {
    const out: StoredProfile[] = []
    const all = [...this.#profiles.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      if (all[i]!.kind === kind) out.push(all[i]!)
    }
    return out
  }

  timeline(since: number, bucketMs: number): TimelineBucket[] {
    const buckets = new Map<number, TimelineBucket>()
    for (let i = this.#items.length - 1; i >= 0; i--) {
      const item = this.#items[i]!
      if (item.receivedAt < since) break
      if (item.kind !== 'event') continue
      const t = Math.floor(item.receivedAt / bucketMs) * bucketMs
      let bucket = buckets.get(t)
      if (bucket === undefined) {
        bucket = { t, good: 0, bad: 0 }
        buckets.set(t, bucket)
      }
      if (item.valid) bucket.good++
      else bucket.bad++
    }
    return [...buckets.values()].sort((a, b) => a.t - b.t)
  }

  stats(): CollectorStats {
    return { ...this.#stats }
  }

  reset(): void {
    this.#items = []
    this.#requests.clear()
    this.#insertIds.clear()
    this.#profiles.clear()
    this.#stats = emptyStats()
    this.#nextItem = 1
    this.#nextRequest = 1
  }

  close(): void {}

  /** Index of the first item whose id is greater than `id`. */
  #indexAfter(id: number): number {
    let lo = 0
    let hi = this.#items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.#items[mid]!.id <= id) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

function profileKey(kind: string, groupKey: string | null, id: string): string {
  return `${kind}\u0000${groupKey ?? ''}\u0000${id}`
}
