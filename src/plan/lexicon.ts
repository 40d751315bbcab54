import type { LexiconEntry } from '../app-api/index.js'
import { checkOptions, optionList } from '../internal/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import type { TrackingPlan } from './compile.js'
import { codeNameOf } from './names.js'
import { PLAN_FORMATS, PLAN_TYPE_NAMES } from './plan-schema.js'
import type { EventSpec, PlanDocument, PlanTypeName, PropertySchema } from './types.js'

/** Options of {@link toLexiconEntries}. */
export interface LexiconExportOptions {
  /** Mark deprecated events and aliases `dropped` (Mixpanel drops them at ingestion) as well as hidden. @default false */
  dropDeprecated?: boolean
}

/** The names of {@link LexiconExportOptions}. */
const LEXICON_EXPORT_OPTIONS = optionList<LexiconExportOptions>()({ dropDeprecated: true })

/** Entries built from a plan, and what could not be expressed in Lexicon. */
export interface LexiconExport {
  readonly entries: LexiconEntry[]
  /** Parts of the plan Lexicon schemas cannot hold (for example group profiles). */
  readonly skipped: string[]
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema'
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

/**
 * Converts a plan to Lexicon schema entries: one `event` entry per event (common properties
 * merged in), one hidden entry per alias (so old names stop cluttering reports), deprecated
 * events hidden (and dropped with `dropDeprecated`), and the user profile as `profile` / `$user`.
 * `hidden` and `dropped` are always sent explicitly, because Lexicon keeps metadata missing from
 * an upload. Lexicon property schemas hold a type, description, examples and format only: allowed
 * values are written as examples and into the description.
 */
export function toLexiconEntries(plan: TrackingPlan, options: LexiconExportOptions = {}): LexiconExport {
  checkOptions(options, LEXICON_EXPORT_OPTIONS, 'toLexiconEntries')
  const doc = plan.document
  const drop = options.dropDeprecated ?? false
  const entries: LexiconEntry[] = []
  const skipped: string[] = []
  const common = doc.commonProperties
  for (const event of Object.values(doc.events)) {
    const properties = { ...(common?.properties ?? {}), ...(event.properties ?? {}) }
    const required = [...new Set([...(common?.required ?? []), ...(event.required ?? [])])]
    const additional = event.additionalProperties ?? doc.additionalProperties ?? false
    const replacement =
      event.replacedBy === undefined ? undefined : (doc.events[event.replacedBy]?.name ?? event.replacedBy)
    const note = event.deprecated
      ? `Deprecated${replacement ? `: send "${replacement}" instead` : ''}.`
      : undefined
    entries.push({
      entityType: 'event',
      name: event.name,
      schemaJson: eventSchema(
        event,
        properties,
        required,
        additional,
        join(note, event.description),
        event.deprecated === true,
        drop,
      ),
    })
    for (const alias of event.aliases ?? []) {
      entries.push({
        entityType: 'event',
        name: alias,
        schemaJson: eventSchema(event, properties, [], true, `Old name of "${event.name}".`, true, drop),
      })
    }
  }
  if (doc.people) {
    entries.push({
      entityType: 'profile',
      name: '$user',
      schemaJson: {
        $schema: DRAFT_07,
        ...(doc.people.description ? { description: doc.people.description } : {}),
        additionalProperties: doc.people.additionalProperties ?? doc.additionalProperties ?? false,
        properties: propertiesOf(doc.people.properties),
      },
    })
  }
  for (const key of Object.keys(doc.groups ?? {})) {
    skipped.push(`group ${JSON.stringify(key)}: the Lexicon Schemas API has no group profile schemas`)
  }
  return { entries, skipped }
}

function eventSchema(
  event: EventSpec,
  properties: Record<string, PropertySchema>,
  required: string[],
  additional: boolean,
  description: string | undefined,
  hidden: boolean,
  drop: boolean,
): JsonObject {
  const mixpanel: JsonObject = { hidden, dropped: hidden && drop }
  if (event.tags?.length) mixpanel.tags = event.tags
  if (event.owner !== undefined) {
    if (EMAIL.test(event.owner)) mixpanel.contacts = [event.owner]
    else mixpanel.teamContacts = [event.owner]
  }
  return {
    $schema: DRAFT_07,
    ...(description ? { description } : {}),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: additional,
    properties: propertiesOf(properties),
    metadata: { 'com.mixpanel': mixpanel },
  }
}

function propertiesOf(map: Record<string, PropertySchema>): JsonObject {
  const out: JsonObject = {}
  for (const [name, schema] of Object.entries(map)) out[name] = lexiconProperty(schema)
  return out
}

function lexiconProperty(schema: PropertySchema): JsonObject {
  const out: JsonObject = {}
  const types = schema.type === undefined ? [] : [schema.type].flat()
  const type = types.find((t) => t !== 'null') ?? types[0]
  if (type !== undefined) out.type = type
  const values = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined)
  const allowed = values ? `One of: ${values.map((v) => JSON.stringify(v)).join(', ')}.` : undefined
  const description = join(schema.deprecated ? 'Deprecated.' : undefined, join(schema.description, allowed))
  if (description) out.description = description
  const examples = values ?? schema.examples
  if (examples?.length) out.examples = examples.slice(0, 10)
  if (schema.format !== undefined) out.format = schema.format
  return out
}

function join(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b
  if (!b) return a
  return `${a} ${b}`
}

/** Options of {@link fromLexiconEntries}. */
export interface LexiconImportOptions {
  /** `version` of the plan written. @default '1.0.0' */
  version?: string
  title?: string
}

/** The names of {@link LexiconImportOptions}. */
const LEXICON_IMPORT_OPTIONS = optionList<LexiconImportOptions>()({ version: true, title: true })

/**
 * Builds a plan document from Lexicon entries: `event` entries become events (code names derived
 * from display names), hidden or dropped ones `deprecated`; `profile` / `$user` becomes `people`.
 * Only what Lexicon holds comes back (types, descriptions, formats, required, additionalProperties,
 * tags, contacts); aliases, enums and constraints do not round-trip.
 */
export function fromLexiconEntries(
  entries: readonly LexiconEntry[],
  options: LexiconImportOptions = {},
): PlanDocument {
  checkOptions(options, LEXICON_IMPORT_OPTIONS, 'fromLexiconEntries')
  const doc: PlanDocument = {
    version: options.version ?? '1.0.0',
    ...(options.title ? { title: options.title } : {}),
    events: {},
  }
  const taken = new Set<string>()
  for (const entry of entries) {
    const schema = asObject(entry.schemaJson)
    if (entry.entityType === 'profile' && entry.name === '$user') {
      doc.people = {
        ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
        properties: planProperties(schema.properties),
        ...(typeof schema.additionalProperties === 'boolean'
          ? { additionalProperties: schema.additionalProperties }
          : { additionalProperties: true }),
      }
      continue
    }
    if (entry.entityType !== 'event' || typeof entry.name !== 'string' || entry.name === '') continue
    let code = codeNameOf(entry.name)
    for (let n = 2; taken.has(code); n++) code = `${codeNameOf(entry.name)}${n}`
    taken.add(code)
    const meta = asObject(asObject(schema.metadata)['com.mixpanel'])
    const properties = planProperties(schema.properties)
    const required = Array.isArray(schema.required)
      ? schema.required.filter((r): r is string => typeof r === 'string' && r in properties)
      : []
    const owner = firstString(meta.contacts) ?? firstString(meta.teamContacts)
    const tags = Array.isArray(meta.tags)
      ? [...new Set(meta.tags.filter((t): t is string => typeof t === 'string' && t !== ''))]
      : []
    const event: EventSpec = { name: entry.name }
    if (typeof schema.description === 'string' && schema.description !== '')
      event.description = schema.description
    if (owner !== undefined) event.owner = owner
    if (tags.length > 0) event.tags = tags
    if (Object.keys(properties).length > 0) event.properties = properties
    if (required.length > 0) event.required = required
    event.additionalProperties =
      typeof schema.additionalProperties === 'boolean' ? schema.additionalProperties : true
    if (meta.hidden === true || meta.dropped === true) event.deprecated = true
    doc.events[code] = event
  }
  return doc
}

function planProperties(value: JsonValue | undefined): Record<string, PropertySchema> {
  const out: Record<string, PropertySchema> = {}
  for (const [name, raw] of Object.entries(asObject(value))) {
    if (name === '') continue
    const p = asObject(raw)
    const schema: PropertySchema = {}
    const types = [p.type]
      .flat()
      .filter((t): t is PlanTypeName => (PLAN_TYPE_NAMES as readonly unknown[]).includes(t))
    if (types.length === 1) schema.type = types[0]!
    else if (types.length > 1) schema.type = [...new Set(types)]
    if (typeof p.description === 'string' && p.description !== '') schema.description = p.description
    if (typeof p.format === 'string' && (PLAN_FORMATS as readonly string[]).includes(p.format))
      schema.format = p.format
    if (Array.isArray(p.examples) && p.examples.length > 0) schema.examples = p.examples
    out[name] = schema
  }
  return out
}

function asObject(value: JsonValue | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}
}

function firstString(value: JsonValue | undefined): string | undefined {
  return Array.isArray(value) ? value.find((v): v is string => typeof v === 'string' && v !== '') : undefined
}
