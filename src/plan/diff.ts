import { typesOf } from './checks.js'
import { loadPlan, type PlanInput } from './load.js'
import { pointerOf } from './names.js'
import type { EventSpec, PlanDocument, PropertySchema } from './types.js'

/**
 * How a change affects producers and analysts: `breaking` (calls valid before may now be flagged,
 * or data disappears), `additive` (new or looser definitions), `cosmetic` (documentation only).
 */
export type ChangeKind = 'breaking' | 'additive' | 'cosmetic'

/** One difference between two plans. `pointer` is in the newer plan (the older one for removals). */
export interface PlanChange {
  readonly kind: ChangeKind
  readonly pointer: string
  readonly message: string
}

/** The result of {@link diffPlans}. */
export interface PlanDiff {
  readonly from: string
  readonly to: string
  readonly changes: readonly PlanChange[]
  readonly breaking: number
  readonly additive: number
  readonly cosmetic: number
}

type Segments = readonly (string | number)[]
type Add = (kind: ChangeKind, segments: Segments, message: string) => void

/**
 * Lists the changes from `before` to `after`, each classified. Events are matched by code name,
 * then by display name, then by an alias in `after` equal to the old display name (a rename).
 *
 * @throws {PlanError} when either plan cannot be loaded.
 */
export function diffPlans(before: PlanInput, after: PlanInput): PlanDiff {
  const a = loadPlan(before).document
  const b = loadPlan(after).document
  const changes: PlanChange[] = []
  const add: Add = (kind, segments, message) => changes.push({ kind, pointer: pointerOf(segments), message })
  if (a.version !== b.version) add('cosmetic', ['version'], `version ${a.version} → ${b.version}`)
  if (a.title !== b.title) add('cosmetic', ['title'], 'title changed')
  if (a.description !== b.description) add('cosmetic', ['description'], 'description changed')
  compareMaps(
    a.commonProperties?.properties ?? {},
    b.commonProperties?.properties ?? {},
    a.commonProperties?.required ?? [],
    b.commonProperties?.required ?? [],
    ['commonProperties', 'properties'],
    'common property',
    add,
  )
  compareEvents(a, b, add)
  compareProfiles(a, b, add)
  const count = (kind: ChangeKind) => changes.filter((c) => c.kind === kind).length
  return {
    from: a.version,
    to: b.version,
    changes,
    breaking: count('breaking'),
    additive: count('additive'),
    cosmetic: count('cosmetic'),
  }
}

function compareEvents(a: PlanDocument, b: PlanDocument, add: Add): void {
  const matched = new Set<string>()
  for (const [oldKey, oldEvent] of Object.entries(a.events)) {
    const newKey =
      (b.events[oldKey] ? oldKey : undefined) ??
      Object.keys(b.events).find((k) => b.events[k]!.name === oldEvent.name) ??
      Object.keys(b.events).find((k) => b.events[k]!.aliases?.includes(oldEvent.name))
    if (newKey === undefined || matched.has(newKey)) {
      add('breaking', ['events', oldKey], `event ${JSON.stringify(oldEvent.name)} removed`)
      continue
    }
    matched.add(newKey)
    compareEvent(oldKey, oldEvent, newKey, b.events[newKey]!, a, b, add)
  }
  for (const [key, event] of Object.entries(b.events)) {
    if (!matched.has(key)) add('additive', ['events', key], `event ${JSON.stringify(event.name)} added`)
  }
}

function compareEvent(
  oldKey: string,
  x: EventSpec,
  key: string,
  y: EventSpec,
  a: PlanDocument,
  b: PlanDocument,
  add: Add,
): void {
  const at: Segments = ['events', key]
  const label = `event ${JSON.stringify(y.name)}`
  if (oldKey !== key)
    add('cosmetic', at, `${label}: code name ${oldKey} → ${key} (generated EVENT_NAMES key renamed)`)
  if (x.name !== y.name) {
    const kept = y.aliases?.includes(x.name) ?? false
    add(
      kept ? 'additive' : 'breaking',
      [...at, 'name'],
      `event ${JSON.stringify(x.name)} renamed to ${JSON.stringify(y.name)}${kept ? ' (old name kept as alias)' : ''}`,
    )
  }
  for (const field of ['description', 'owner', 'replacedBy'] as const) {
    if (x[field] !== y[field]) add('cosmetic', [...at, field], `${label}: ${field} changed`)
  }
  if (JSON.stringify(x.tags ?? []) !== JSON.stringify(y.tags ?? []))
    add('cosmetic', [...at, 'tags'], `${label}: tags changed`)
  for (const alias of x.aliases ?? []) {
    if (!(y.aliases ?? []).includes(alias) && alias !== y.name)
      add('breaking', [...at, 'aliases'], `${label}: alias ${JSON.stringify(alias)} removed`)
  }
  for (const alias of y.aliases ?? []) {
    if (!(x.aliases ?? []).includes(alias) && alias !== x.name)
      add('additive', [...at, 'aliases'], `${label}: alias ${JSON.stringify(alias)} added`)
  }
  if ((x.deprecated ?? false) !== (y.deprecated ?? false)) {
    add('additive', [...at, 'deprecated'], `${label} ${y.deprecated ? 'deprecated' : 'no longer deprecated'}`)
  }
  const wasOpen = x.additionalProperties ?? a.additionalProperties ?? false
  const isOpen = y.additionalProperties ?? b.additionalProperties ?? false
  if (wasOpen !== isOpen) {
    add(
      isOpen ? 'additive' : 'breaking',
      [...at, 'additionalProperties'],
      `${label}: unplanned properties ${isOpen ? 'now allowed' : 'no longer allowed'}`,
    )
  }
  compareMaps(
    x.properties ?? {},
    y.properties ?? {},
    x.required ?? [],
    y.required ?? [],
    [...at, 'properties'],
    `${label}: property`,
    add,
  )
}

function compareProfiles(a: PlanDocument, b: PlanDocument, add: Add): void {
  if (a.people && !b.people) add('breaking', ['people'], 'user profile properties removed')
  else if (!a.people && b.people) add('additive', ['people'], 'user profile properties added')
  else if (a.people && b.people) {
    compareMaps(
      a.people.properties,
      b.people.properties,
      [],
      [],
      ['people', 'properties'],
      'user profile property',
      add,
    )
  }
  const ga = a.groups ?? {}
  const gb = b.groups ?? {}
  for (const key of Object.keys(ga)) {
    if (!gb[key]) add('breaking', ['groups', key], `group ${JSON.stringify(key)} removed`)
    else
      compareMaps(
        ga[key]!.properties,
        gb[key]!.properties,
        [],
        [],
        ['groups', key, 'properties'],
        `group ${key}: property`,
        add,
      )
  }
  for (const key of Object.keys(gb))
    if (!ga[key]) add('additive', ['groups', key], `group ${JSON.stringify(key)} added`)
}

function compareMaps(
  x: Record<string, PropertySchema>,
  y: Record<string, PropertySchema>,
  requiredX: readonly string[],
  requiredY: readonly string[],
  at: Segments,
  label: string,
  add: Add,
): void {
  for (const name of Object.keys(x)) {
    if (!Object.hasOwn(y, name)) add('breaking', [...at, name], `${label} ${JSON.stringify(name)} removed`)
  }
  for (const [name, schema] of Object.entries(y)) {
    const here = [...at, name]
    const old = x[name]
    const nowRequired = requiredY.includes(name)
    if (old === undefined) {
      add(
        nowRequired ? 'breaking' : 'additive',
        here,
        `${label} ${JSON.stringify(name)} added${nowRequired ? ' as required' : ''}`,
      )
      continue
    }
    const wasRequired = requiredX.includes(name)
    if (wasRequired !== nowRequired) {
      add(
        nowRequired ? 'breaking' : 'additive',
        here,
        `${label} ${JSON.stringify(name)} ${nowRequired ? 'now required' : 'now optional'}`,
      )
    }
    compareSchema(old, schema, here, `${label} ${JSON.stringify(name)}`, add)
  }
}

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems'] as const
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'] as const

function compareSchema(x: PropertySchema, y: PropertySchema, at: Segments, label: string, add: Add): void {
  const tx = widen(typesOf(x))
  const ty = widen(typesOf(y))
  if (tx.join() !== ty.join()) {
    const looser =
      ty.length === 0 ||
      (tx.length > 0 && tx.every((t) => ty.includes(t) || (t === 'integer' && ty.includes('number'))))
    add(
      looser ? 'additive' : 'breaking',
      [...at, 'type'],
      `${label}: type ${tx.join(' | ') || 'any'} → ${ty.join(' | ') || 'any'}`,
    )
  }
  if (x.enum !== undefined || y.enum !== undefined) {
    if (x.enum === undefined)
      add('breaking', [...at, 'enum'], `${label}: now limited to ${y.enum!.length} values`)
    else if (y.enum === undefined)
      add('additive', [...at, 'enum'], `${label}: no longer limited to a list of values`)
    else {
      const removed = x.enum.filter((v) => !y.enum!.some((w) => JSON.stringify(w) === JSON.stringify(v)))
      const added = y.enum.filter((v) => !x.enum!.some((w) => JSON.stringify(w) === JSON.stringify(v)))
      if (removed.length > 0)
        add(
          'breaking',
          [...at, 'enum'],
          `${label}: values removed: ${removed.map((v) => JSON.stringify(v)).join(', ')}`,
        )
      if (added.length > 0)
        add(
          'additive',
          [...at, 'enum'],
          `${label}: values added: ${added.map((v) => JSON.stringify(v)).join(', ')}`,
        )
    }
  }
  for (const field of ['const', 'pattern', 'format', 'multipleOf'] as const) {
    const before = JSON.stringify(x[field])
    const after = JSON.stringify(y[field])
    if (before === after) continue
    add(
      y[field] === undefined ? 'additive' : 'breaking',
      [...at, field],
      `${label}: ${field} ${before ?? 'none'} → ${after ?? 'none'}`,
    )
  }
  for (const field of LOWER_BOUNDS) bound(x[field], y[field], (n, o) => n > o, field, at, label, add)
  for (const field of UPPER_BOUNDS) bound(x[field], y[field], (n, o) => n < o, field, at, label, add)
  if ((x.uniqueItems ?? false) !== (y.uniqueItems ?? false)) {
    add(
      y.uniqueItems ? 'breaking' : 'additive',
      [...at, 'uniqueItems'],
      `${label}: duplicates ${y.uniqueItems ? 'no longer' : 'now'} allowed`,
    )
  }
  for (const field of ['description', 'title', 'examples', 'deprecated'] as const) {
    if (JSON.stringify(x[field]) !== JSON.stringify(y[field]))
      add('cosmetic', [...at, field], `${label}: ${field} changed`)
  }
  if ((x.additionalProperties ?? null) !== (y.additionalProperties ?? null)) {
    const open = y.additionalProperties !== false
    add(
      open ? 'additive' : 'breaking',
      [...at, 'additionalProperties'],
      `${label}: unplanned nested properties ${open ? 'allowed' : 'refused'}`,
    )
  }
  if (x.properties !== undefined || y.properties !== undefined) {
    compareMaps(
      x.properties ?? {},
      y.properties ?? {},
      x.required ?? [],
      y.required ?? [],
      [...at, 'properties'],
      `${label}: property`,
      add,
    )
  }
  if (x.items !== undefined && y.items !== undefined)
    compareSchema(x.items, y.items, [...at, 'items'], `${label} items`, add)
  else if (x.items === undefined && y.items !== undefined)
    add('breaking', [...at, 'items'], `${label}: list items now constrained`)
  else if (x.items !== undefined && y.items === undefined)
    add('additive', [...at, 'items'], `${label}: list items no longer constrained`)
}

/** Tighter when `tighter(new, old)`; adding a bound is tighter, removing one looser. */
function bound(
  before: number | undefined,
  after: number | undefined,
  tighter: (next: number, prev: number) => boolean,
  field: string,
  at: Segments,
  label: string,
  add: Add,
): void {
  if (before === after) return
  const kind: ChangeKind =
    after === undefined
      ? 'additive'
      : before === undefined
        ? 'breaking'
        : tighter(after, before)
          ? 'breaking'
          : 'additive'
  add(kind, [...at, field], `${label}: ${field} ${before ?? 'none'} → ${after ?? 'none'}`)
}

function widen(types: readonly string[] | undefined): string[] {
  return types === undefined ? [] : [...types].sort()
}
