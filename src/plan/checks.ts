import type { PlanProblem } from '../errors/index.js'
import type { ErrorObject } from './ajv.js'
import { validatePlanShape } from './ajv.js'
import { foldName, pointerOf } from './names.js'
import type { EventSpec, PlanDocument, PlanTypeName, PropertySchema } from './types.js'

type Segments = readonly (string | number)[]

/** Checks the document against the plan's JSON Schema; one problem per error, noise removed. */
export function shapeProblems(document: unknown): PlanProblem[] {
  const errors = validatePlanShape(document)
  // anyOf reports every branch's failure too (through $ref, under other schema paths); keep one.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath)
  const problems: PlanProblem[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    const inAnyOf = anyOfPaths.some((p) => error.instancePath === p || error.instancePath.startsWith(`${p}/`))
    if (inAnyOf && error.keyword !== 'anyOf') continue
    // Errors inside propertyNames come twice: once for the rule and once as `propertyNames`.
    if ((error as { propertyName?: string }).propertyName !== undefined) continue
    const problem = { ...toProblem(error), rule: 'schema' }
    const key = `${problem.pointer} ${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    problems.push(problem)
  }
  return problems
}

function toProblem(error: ErrorObject): PlanProblem {
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        pointer: `${error.instancePath}/${escapeKey(String(params.additionalProperty))}`,
        message: `unknown key ${JSON.stringify(params.additionalProperty)}`,
      }
    case 'required':
      return {
        pointer: error.instancePath,
        message: `missing required key ${JSON.stringify(params.missingProperty)}`,
      }
    case 'enum':
      return {
        pointer: error.instancePath,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      }
    case 'anyOf':
      return error.schemaPath.endsWith('/type/anyOf')
        ? { pointer: error.instancePath, message: 'must be a type name or a list of type names' }
        : { pointer: error.instancePath, message: 'has an unsupported shape' }
    case 'propertyNames':
      return {
        pointer: `${error.instancePath}/${escapeKey(String(params.propertyName))}`,
        message: 'is not a valid name (event code names are identifiers such as userSignsUp)',
      }
    default: {
      const hint =
        error.keyword === 'type' && error.instancePath === '/version' ? ' (quote the version in YAML)' : ''
      return { pointer: error.instancePath, message: `${error.message ?? 'is invalid'}${hint}` }
    }
  }
}

function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** A property schema visited by {@link forEachProperty}. */
interface Visit {
  readonly name: string
  readonly schema: PropertySchema
  readonly segments: Segments
  /** Top-level property of an event, the common properties, people or a group. */
  readonly topLevel: boolean
}

/** Visits every property schema of a property map, nested ones included. */
export function forEachProperty(
  map: Record<string, PropertySchema> | undefined,
  segments: Segments,
  visit: (v: Visit) => void,
  topLevel = true,
): void {
  for (const [name, schema] of Object.entries(map ?? {})) {
    const here = [...segments, name]
    visit({ name, schema, segments: here, topLevel })
    forEachProperty(schema.properties, [...here, 'properties'], visit, false)
    let items = schema.items
    let itemSegments = [...here, 'items']
    while (items !== undefined) {
      visit({ name: `${name}[]`, schema: items, segments: itemSegments, topLevel: false })
      forEachProperty(items.properties, [...itemSegments, 'properties'], visit, false)
      items = items.items
      itemSegments = [...itemSegments, 'items']
    }
  }
}

/** Every property map of the plan with its location. */
export function propertyMaps(
  doc: PlanDocument,
): Array<{ map: Record<string, PropertySchema>; segments: Segments }> {
  const maps: Array<{ map: Record<string, PropertySchema>; segments: Segments }> = []
  if (doc.commonProperties)
    maps.push({ map: doc.commonProperties.properties, segments: ['commonProperties', 'properties'] })
  for (const [key, event] of Object.entries(doc.events)) {
    maps.push({ map: event.properties ?? {}, segments: ['events', key, 'properties'] })
  }
  if (doc.people) maps.push({ map: doc.people.properties, segments: ['people', 'properties'] })
  for (const [key, group] of Object.entries(doc.groups ?? {})) {
    maps.push({ map: group.properties, segments: ['groups', key, 'properties'] })
  }
  return maps
}

/** The type names a schema allows, or undefined when it leaves the type open. */
export function typesOf(schema: PropertySchema): PlanTypeName[] | undefined {
  if (schema.type === undefined) return undefined
  return Array.isArray(schema.type) ? schema.type : [schema.type]
}

/**
 * Problems that make a shape-valid plan unusable or ambiguous for enforcement: undeclared
 * required properties, unknown `replacedBy`, duplicate or case-colliding event names and aliases,
 * colliding property names, contradictory constraints. `loadPlan` refuses plans with any.
 */
export function structuralProblems(doc: PlanDocument): PlanProblem[] {
  const problems: PlanProblem[] = []
  const add: Add = (rule, segments, message) => problems.push({ pointer: pointerOf(segments), message, rule })
  const common = doc.commonProperties?.properties ?? {}
  checkRequired(doc.commonProperties?.required, common, ['commonProperties', 'required'], add)
  const byDisplay = new Map<string, string>()
  for (const [key, event] of Object.entries(doc.events)) byDisplay.set(event.name, key)
  for (const [key, event] of Object.entries(doc.events)) {
    const merged = { ...common, ...(event.properties ?? {}) }
    checkRequired(event.required, merged, ['events', key, 'required'], add)
    checkFoldCollisions(merged, ['events', key, 'properties'], add)
    if (event.replacedBy !== undefined) {
      const target = doc.events[event.replacedBy] ? event.replacedBy : byDisplay.get(event.replacedBy)
      if (target === undefined)
        add(
          'unknown-replacement',
          ['events', key, 'replacedBy'],
          `names no event in the plan: ${JSON.stringify(event.replacedBy)}`,
        )
      else if (target === key)
        add('unknown-replacement', ['events', key, 'replacedBy'], 'an event cannot replace itself')
    }
  }
  checkNames(doc.events, add)
  if (doc.people) checkFoldCollisions(doc.people.properties, ['people', 'properties'], add)
  for (const [key, group] of Object.entries(doc.groups ?? {})) {
    checkFoldCollisions(group.properties, ['groups', key, 'properties'], add)
  }
  for (const { map, segments } of propertyMaps(doc)) {
    forEachProperty(map, segments, ({ schema, segments: at }) => checkSchema(schema, at, add))
  }
  return problems
}

type Add = (rule: string, segments: Segments, message: string) => void

function checkRequired(
  required: readonly string[] | undefined,
  properties: Record<string, PropertySchema>,
  segments: Segments,
  add: Add,
): void {
  required?.forEach((name, i) => {
    if (!Object.hasOwn(properties, name))
      add(
        'undeclared-required',
        [...segments, i],
        `required property ${JSON.stringify(name)} is not declared`,
      )
  })
}

function checkFoldCollisions(map: Record<string, PropertySchema>, segments: Segments, add: Add): void {
  const seen = new Map<string, string>()
  for (const name of Object.keys(map)) {
    const fold = foldName(name)
    const other = seen.get(fold)
    if (other !== undefined) {
      add(
        'property-case-collision',
        [...segments, name],
        `property ${JSON.stringify(name)} differs from ${JSON.stringify(other)} only in case or separators`,
      )
    } else seen.set(fold, name)
  }
}

function checkNames(events: Record<string, EventSpec>, add: Add): void {
  const exact = new Map<string, { key: string; what: string }>()
  const folded = new Map<string, { key: string; text: string }>()
  for (const [key, event] of Object.entries(events)) {
    const names: Array<{ text: string; segments: Segments; what: string }> = [
      { text: event.name, segments: ['events', key, 'name'], what: 'name' },
      ...(event.aliases ?? []).map((text, i) => ({
        text,
        segments: ['events', key, 'aliases', i],
        what: 'alias',
      })),
    ]
    for (const { text, segments, what } of names) {
      const same = exact.get(text)
      if (same !== undefined && same.key !== key) {
        add(
          'duplicate-name',
          segments,
          `${what} ${JSON.stringify(text)} is already the ${same.what} of event ${same.key}`,
        )
        continue
      }
      exact.set(text, { key, what })
      const fold = foldName(text)
      const near = folded.get(fold)
      if (near !== undefined && near.key !== key) {
        add(
          'case-collision',
          segments,
          `${what} ${JSON.stringify(text)} differs from ${JSON.stringify(near.text)} (event ${near.key}) only in case or separators`,
        )
      } else if (near === undefined) folded.set(fold, { key, text })
    }
  }
}

function checkSchema(schema: PropertySchema, segments: Segments, add: Add): void {
  checkRequired(schema.required, schema.properties ?? {}, [...segments, 'required'], add)
  const pairs: Array<[keyof PropertySchema, keyof PropertySchema]> = [
    ['minimum', 'maximum'],
    ['minLength', 'maxLength'],
    ['minItems', 'maxItems'],
  ]
  for (const [low, high] of pairs) {
    const a = schema[low]
    const b = schema[high]
    if (typeof a === 'number' && typeof b === 'number' && a > b)
      add('range', [...segments, low], `${low} ${a} is greater than ${high} ${b}`)
  }
  const types = typesOf(schema)
  if (schema.enum && types) {
    schema.enum.forEach((value, i) => {
      if (!types.some((t) => matchesType(value, t))) {
        add(
          'enum-type',
          [...segments, 'enum', i],
          `${JSON.stringify(value)} is not of the declared type ${types.join(' | ')}`,
        )
      }
    })
  }
  if (schema.enum) {
    const seen = new Map<string, string>()
    schema.enum.forEach((value, i) => {
      if (typeof value !== 'string') return
      const lower = value.toLowerCase()
      const other = seen.get(lower)
      if (other !== undefined)
        add(
          'enum-case',
          [...segments, 'enum', i],
          `${JSON.stringify(value)} differs from ${JSON.stringify(other)} only in case`,
        )
      else seen.set(lower, value)
    })
  }
}

/** Whether a JSON value has the given JSON Schema type. */
export function matchesType(value: unknown, type: PlanTypeName): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'null':
      return value === null
    case 'array':
      return Array.isArray(value)
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
  }
}
