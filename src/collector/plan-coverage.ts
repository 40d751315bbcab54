import type { TrackingPlan } from '../plan/index.js'
import { itemProperties } from './item-query.js'
import type { StoredItem } from './types.js'
import { callerProperties } from './validators.js'

/** How often one property was seen on one event. */
export interface PropertyCount {
  name: string
  /** Events that carried it. */
  seen: number
  /** Planned as required (planned properties only). */
  required?: boolean
}

/** One planned event and what arrived of it (`GET /_/plan`). */
export interface PlannedEventCoverage {
  codeName: string
  name: string
  deprecated: boolean
  /** Events received under its name, an alias, or its Iglu name (Snowplow). */
  seen: number
  good: number
  bad: number
  /** Last arrival, in milliseconds since the epoch; null when never seen. */
  lastSeen: number | null
  /** Planned properties (common ones included) with how many of the events carried each. */
  properties: PropertyCount[]
  /** Properties that arrived on this event although the plan does not list them. */
  unplannedProperties: PropertyCount[]
}

/** An event name that arrived but is not in the plan. */
export interface UnplannedEventCount {
  name: string
  seen: number
  good: number
  bad: number
  lastSeen: number
  sources: string[]
}

/** The Plan tab's data. */
export interface CoverageReport {
  plan: { version: string; title: string | null; events: number } | null
  events: PlannedEventCoverage[]
  unplanned: UnplannedEventCount[]
}

interface Tally {
  seen: number
  good: number
  bad: number
  lastSeen: number
  sources: Set<string>
  properties: Map<string, number>
}

/**
 * Counts the events that arrived per name and per property, and sets them against the tracking
 * plan: which planned events were seen (and how often each planned property was there), which
 * never, and what arrived unplanned. Mixpanel's own events (`$identify`...) are left out.
 */
export class PlanCoverage {
  readonly #plan: TrackingPlan | undefined
  readonly #snowplowName: (schemaName: string) => string
  readonly #aliases = new Map<string, string>()
  #tallies = new Map<string, Tally>()

  constructor(plan: TrackingPlan | undefined, snowplowName: (schemaName: string) => string) {
    this.#plan = plan
    this.#snowplowName = snowplowName
    for (const [codeName, spec] of Object.entries(plan?.document.events ?? {})) {
      this.#aliases.set(codeName, spec.name)
      for (const alias of spec.aliases ?? []) this.#aliases.set(alias, spec.name)
    }
  }

  /** Counts one stored item (events only). */
  add(item: StoredItem): void {
    if (item.kind !== 'event' || item.name === null || item.name.startsWith('$')) return
    const raw = item.source === 'snowplow' ? this.#snowplowName(item.name) : item.name
    const name = this.#plan?.event(raw)?.name ?? this.#aliases.get(raw) ?? raw
    let tally = this.#tallies.get(name)
    if (tally === undefined) {
      tally = { seen: 0, good: 0, bad: 0, lastSeen: 0, sources: new Set(), properties: new Map() }
      this.#tallies.set(name, tally)
    }
    tally.seen++
    if (item.valid) tally.good++
    else tally.bad++
    tally.lastSeen = Math.max(tally.lastSeen, item.receivedAt)
    tally.sources.add(item.source)
    const props = itemProperties(item)
    const names = item.source === 'snowplow' ? dataKeys(item) : Object.keys(callerProperties(props))
    for (const key of names) tally.properties.set(key, (tally.properties.get(key) ?? 0) + 1)
  }

  /** Forgets every count. */
  reset(): void {
    this.#tallies = new Map()
  }

  /** The counts set against the plan. */
  report(): CoverageReport {
    const plan = this.#plan
    const planned = new Set<string>()
    const events: PlannedEventCoverage[] = []
    if (plan !== undefined) {
      const doc = plan.document
      const common = doc.commonProperties
      for (const [codeName, spec] of Object.entries(doc.events)) {
        planned.add(spec.name)
        const tally = this.#tallies.get(spec.name)
        const declared = { ...(common?.properties ?? {}), ...(spec.properties ?? {}) }
        const required = new Set([...(common?.required ?? []), ...(spec.required ?? [])])
        const seenProps = tally?.properties ?? new Map<string, number>()
        events.push({
          codeName,
          name: spec.name,
          deprecated: spec.deprecated === true,
          seen: tally?.seen ?? 0,
          good: tally?.good ?? 0,
          bad: tally?.bad ?? 0,
          lastSeen: tally?.lastSeen ?? null,
          properties: Object.keys(declared).map((name) => ({
            name,
            seen: seenProps.get(name) ?? 0,
            required: required.has(name),
          })),
          unplannedProperties: [...seenProps]
            .filter(([name]) => !Object.hasOwn(declared, name) && !name.startsWith('$'))
            .map(([name, seen]) => ({ name, seen }))
            .sort((a, b) => b.seen - a.seen),
        })
      }
    }
    const unplanned = [...this.#tallies]
      .filter(([name]) => !planned.has(name))
      .map(([name, t]) => ({
        name,
        seen: t.seen,
        good: t.good,
        bad: t.bad,
        lastSeen: t.lastSeen,
        sources: [...t.sources].sort(),
      }))
      .sort((a, b) => b.seen - a.seen)
    return {
      plan:
        plan === undefined
          ? null
          : {
              version: plan.version,
              title: plan.title ?? null,
              events: Object.keys(plan.document.events).length,
            },
      events,
      unplanned,
    }
  }
}

/** The keys of a Snowplow event's self-describing data. */
function dataKeys(item: StoredItem): string[] {
  const unstruct = item.decoded?.unstruct as { data?: { data?: unknown } } | undefined
  const data = unstruct?.data?.data
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? Object.keys(data) : []
}
