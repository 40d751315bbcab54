import { type AjvInstance, compileAt, createAjv, type ValidateFunction } from './ajv.js'
import { foldName, RESERVED_PROPERTY_PATTERN } from './names.js'
import type { EventSpec, PlanDocument, ProfileSpec, PropertySchema } from './types.js'

/** One event with its validator, compiled at load. */
export interface CompiledEvent {
  /** The key under `events` (`userSignsUp`). */
  readonly codeName: string
  /** The display name (`User signs up`). */
  readonly name: string
  readonly spec: EventSpec
  readonly deprecated: boolean
  /** Display name of the replacement event, when `replacedBy` is set. */
  readonly replacedBy: string | undefined
  /** Validates the caller's properties (common properties merged in). */
  readonly validate: ValidateFunction
  /** Declared top-level property names, by folded name (for case repairs). */
  readonly folded: ReadonlyMap<string, string>
}

/** User or group profile properties with their validators. */
export interface CompiledProfile {
  readonly spec: ProfileSpec
  /** Validates a `$set` / `$set_once` value (nothing required). */
  readonly validateSet: ValidateFunction
  /** Validates one item appended to, removed from or unioned into a list property. */
  readonly itemValidators: ReadonlyMap<string, ValidateFunction>
  readonly properties: Readonly<Record<string, PropertySchema>>
  readonly folded: ReadonlyMap<string, string>
  readonly additionalProperties: boolean
}

/** The lookup tables and validators of a plan. */
export interface CompiledPlan {
  readonly byName: ReadonlyMap<string, CompiledEvent>
  readonly byAlias: ReadonlyMap<string, CompiledEvent>
  /** Folded names and aliases → event; `viaAlias` when the fold matched an alias. */
  readonly byFold: ReadonlyMap<string, { event: CompiledEvent; viaAlias: boolean }>
  readonly events: readonly CompiledEvent[]
  readonly people: CompiledProfile | undefined
  readonly groups: ReadonlyMap<string, CompiledProfile> | undefined
}

/**
 * A loaded, compiled tracking plan. Build one with `loadPlan()`; give it to `createPlanEnforcer()`,
 * `generatePlanTypes()`, `diffPlans()` or `pushPlan()`.
 */
export class TrackingPlan {
  /** The plan's `version`. */
  readonly version: string
  readonly title: string | undefined
  /** The file the plan was read from; undefined for a plan given as an object. */
  readonly file: string | undefined
  /** The plan document as read (a private copy; do not modify). */
  readonly document: PlanDocument
  /** @internal Lookup tables and validators. */
  readonly compiled: CompiledPlan

  /** @internal Use `loadPlan()`. */
  constructor(document: PlanDocument, file: string | undefined) {
    this.version = document.version
    this.title = document.title
    this.file = file
    this.document = document
    this.compiled = compilePlan(document, file)
  }

  /** The event with this display name or code name, if planned. */
  event(name: string): CompiledEvent | undefined {
    return this.compiled.byName.get(name) ?? this.compiled.events.find((e) => e.codeName === name)
  }
}

function compilePlan(doc: PlanDocument, file: string | undefined): CompiledPlan {
  const ajv = createAjv()
  const strictDefault = !(doc.additionalProperties ?? false)
  const common = doc.commonProperties
  const byName = new Map<string, CompiledEvent>()
  const byAlias = new Map<string, CompiledEvent>()
  const byFold = new Map<string, { event: CompiledEvent; viaAlias: boolean }>()
  const events: CompiledEvent[] = []
  const displayOf = (ref: string) => doc.events[ref]?.name ?? ref
  for (const [codeName, spec] of Object.entries(doc.events)) {
    const additional = spec.additionalProperties ?? !strictDefault
    const properties = { ...(common?.properties ?? {}), ...(spec.properties ?? {}) }
    const required = [...new Set([...(common?.required ?? []), ...(spec.required ?? [])])]
    const schema = objectSchema(properties, required, additional)
    const event: CompiledEvent = {
      codeName,
      name: spec.name,
      spec,
      deprecated: spec.deprecated === true,
      replacedBy: spec.replacedBy === undefined ? undefined : displayOf(spec.replacedBy),
      validate: compileAt(ajv, schema, file, ['events', codeName]),
      folded: foldMap(properties),
    }
    events.push(event)
    byName.set(spec.name, event)
    byFold.set(foldName(spec.name), { event, viaAlias: false })
  }
  for (const event of events) {
    for (const alias of event.spec.aliases ?? []) {
      byAlias.set(alias, event)
      const fold = foldName(alias)
      if (!byFold.has(fold)) byFold.set(fold, { event, viaAlias: true })
    }
  }
  const people = doc.people ? compileProfile(ajv, doc.people, !strictDefault, file, ['people']) : undefined
  const groups = doc.groups
    ? new Map(
        Object.entries(doc.groups).map(([key, spec]) => [
          key,
          compileProfile(ajv, spec, !strictDefault, file, ['groups', key]),
        ]),
      )
    : undefined
  return { byName, byAlias, byFold, events, people, groups }
}

function compileProfile(
  ajv: AjvInstance,
  spec: ProfileSpec,
  additionalDefault: boolean,
  file: string | undefined,
  segments: readonly string[],
): CompiledProfile {
  const additional = spec.additionalProperties ?? additionalDefault
  const itemValidators = new Map<string, ValidateFunction>()
  for (const [name, schema] of Object.entries(spec.properties)) {
    if (schema.items !== undefined) {
      itemValidators.set(
        name,
        compileAt(ajv, prepare(schema.items, additional), file, [...segments, 'properties', name, 'items']),
      )
    }
  }
  return {
    spec,
    validateSet: compileAt(ajv, objectSchema(spec.properties, [], additional), file, segments),
    itemValidators,
    properties: spec.properties,
    folded: foldMap(spec.properties),
    additionalProperties: additional,
  }
}

/** The object schema ajv compiles for a property map; reserved names are always allowed. */
function objectSchema(
  properties: Record<string, PropertySchema>,
  required: readonly string[],
  additional: boolean,
): object {
  const prepared: Record<string, object> = {}
  for (const [name, schema] of Object.entries(properties)) prepared[name] = prepare(schema, additional)
  return {
    type: 'object',
    properties: prepared,
    ...(required.length > 0 ? { required } : {}),
    ...(additional
      ? {}
      : { additionalProperties: false, patternProperties: { [RESERVED_PROPERTY_PATTERN]: true } }),
  }
}

/** A copy of a property schema in which nested objects inherit the additionalProperties policy. */
function prepare(schema: PropertySchema, additional: boolean): PropertySchema {
  const out: PropertySchema = { ...schema }
  if (schema.properties !== undefined) {
    const nested: Record<string, PropertySchema> = {}
    for (const [name, child] of Object.entries(schema.properties)) nested[name] = prepare(child, additional)
    out.properties = nested
    if (schema.additionalProperties === undefined && !additional) out.additionalProperties = false
  }
  if (schema.items !== undefined) out.items = prepare(schema.items, additional)
  return out
}

function foldMap(properties: Record<string, PropertySchema>): Map<string, string> {
  const map = new Map<string, string>()
  for (const name of Object.keys(properties)) map.set(foldName(name), name)
  return map
}
