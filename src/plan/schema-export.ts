import { PlanError } from '../errors/index.js'
import { checkOptions, optionList } from '../internal/index.js'
import type { JsonObject, JsonValue } from '../message/index.js'
import { diffPlans, type PlanChange } from './diff.js'
import { loadPlan, type PlanInput } from './load.js'
import { pointerOf, RESERVED_PROPERTY_PATTERN } from './names.js'
import type { PlanDocument, PropertySchema } from './types.js'

/** Iglu's self-describing meta-schema, the `$schema` of every Iglu schema. */
export const IGLU_META_SCHEMA =
  'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#'
const DRAFT_07 = 'http://json-schema.org/draft-07/schema#'

/** Options of {@link exportPlanSchemas}. */
export interface SchemaExportOptions {
  /**
   * Iglu vendor (`com.acme`). With it, the schemas are Iglu self-describing schemas (JSON Schema
   * draft-04 with a `self` block) at `<vendor>/<name>/jsonschema/<version>`; without it, plain
   * JSON Schemas (draft-07) at `events/<name>.json` and `profiles/<kind>.json`.
   */
  vendor?: string
  /**
   * The plan the previous export was made from, and the versions it wrote (Iglu name → SchemaVer;
   * absent names count as `1-0-0`). Each schema then keeps its version when unchanged, bumps the
   * MODEL (`2-0-0`) when `diffPlans` calls a change to it breaking, and the ADDITION (`1-0-1`)
   * otherwise. Without it, every schema is `1-0-0`.
   */
  previous?: { plan: PlanInput; versions?: Readonly<Record<string, string>> }
}

/** The names of {@link SchemaExportOptions}. */
const SCHEMA_EXPORT_OPTIONS = optionList<SchemaExportOptions>()({ vendor: true, previous: true })

/** One exported schema. */
export interface ExportedSchema {
  /** What it describes: an event, the user profile or a group profile. */
  kind: 'event' | 'user' | 'group'
  /** The event's display name, or the group key; `$user` for the user profile. */
  subject: string
  /** The schema's name: `user_signs_up`, `user_profile`, `group_company_id`. */
  name: string
  /** SchemaVer (`1-0-0`). */
  version: string
  /** `iglu:<vendor>/<name>/jsonschema/<version>` with a vendor; undefined without. */
  uri: string | undefined
  /** Where it goes, relative to the export folder, with `/` separators. */
  path: string
  /** How it compares with the previous export. */
  change: 'new' | 'unchanged' | 'additive' | 'breaking'
  schema: JsonObject
}

/** The result of {@link exportPlanSchemas}. */
export interface SchemaExport {
  vendor: string | undefined
  planVersion: string
  schemas: ExportedSchema[]
  /** What to keep beside the schemas (`eventwire-export.json`) so the next export can be versioned. */
  manifest: ExportManifest
}

/** The file an export leaves in its folder: the plan it came from and the versions written. */
export interface ExportManifest {
  generator: 'eventwire plan export'
  vendor: string | null
  planVersion: string
  /** Schema name → SchemaVer written. */
  versions: Record<string, string>
  /** The plan document exported. */
  plan: PlanDocument
}

/** File name of the {@link ExportManifest} in an export folder. */
export const EXPORT_MANIFEST = 'eventwire-export.json'

/**
 * The schema name an event gets in an export: its display name in lower snake case, with only
 * `a-z`, `0-9` and `_` (`User signs up` → `user_signs_up`). Iglu names allow no spaces.
 */
export function igluEventName(displayName: string): string {
  const name = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return name === '' ? 'event' : name
}

/**
 * Writes a tracking plan as JSON Schemas: one per event (its properties with the common ones),
 * one for the user profile and one per group key. See {@link SchemaExportOptions} for the Iglu
 * form and versioning.
 *
 * @throws {PlanError} when a plan cannot be loaded, the vendor is not a valid Iglu vendor, or two
 * events get the same schema name.
 */
export function exportPlanSchemas(plan: PlanInput, options: SchemaExportOptions = {}): SchemaExport {
  checkOptions(options, SCHEMA_EXPORT_OPTIONS, 'exportPlanSchemas')
  const document = loadPlan(plan).document
  const vendor = options.vendor
  if (vendor !== undefined && !/^[a-zA-Z0-9-_.]+$/.test(vendor)) {
    throw new PlanError(undefined, [
      { pointer: '', message: `vendor ${JSON.stringify(vendor)} must match ^[a-zA-Z0-9-_.]+$` },
    ])
  }
  const drafts = schemasOf(document, vendor !== undefined)
  let versions = new Map<string, { version: string; change: ExportedSchema['change'] }>()
  if (options.previous !== undefined) {
    versions = versionAgainst(drafts, options.previous, document, vendor !== undefined)
  }
  const written: Record<string, string> = {}
  const schemas = drafts.map((draft): ExportedSchema => {
    const { version, change } = versions.get(draft.name) ?? { version: '1-0-0', change: 'new' as const }
    written[draft.name] = version
    if (vendor === undefined) {
      const folder = draft.kind === 'event' ? 'events' : 'profiles'
      return { ...draft, version, uri: undefined, path: `${folder}/${draft.name}.json`, change }
    }
    const schema: JsonObject = {
      $schema: IGLU_META_SCHEMA,
      self: { vendor, name: draft.name, format: 'jsonschema', version },
      ...draft.schema,
    }
    const uri = `iglu:${vendor}/${draft.name}/jsonschema/${version}`
    return { ...draft, schema, version, uri, path: `${vendor}/${draft.name}/jsonschema/${version}`, change }
  })
  return {
    vendor,
    planVersion: document.version,
    schemas,
    manifest: {
      generator: 'eventwire plan export',
      vendor: vendor ?? null,
      planVersion: document.version,
      versions: written,
      plan: document,
    },
  }
}

interface Draft {
  kind: ExportedSchema['kind']
  subject: string
  name: string
  /** `codeName` for events, the group key for groups: where `diffPlans` points. */
  pointer: string
  schema: JsonObject
}

function schemasOf(doc: PlanDocument, iglu: boolean): Draft[] {
  const drafts: Draft[] = []
  const byName = new Map<string, string>()
  const claim = (name: string, owner: string, at: string) => {
    const other = byName.get(name)
    if (other !== undefined) {
      throw new PlanError(undefined, [
        { pointer: at, message: `${owner} and ${other} would both be exported as ${JSON.stringify(name)}` },
      ])
    }
    byName.set(name, owner)
  }
  const strict = !(doc.additionalProperties ?? false)
  const common = doc.commonProperties
  for (const [codeName, spec] of Object.entries(doc.events)) {
    const name = igluEventName(spec.name)
    claim(name, `event ${JSON.stringify(spec.name)}`, pointerOf(['events', codeName]))
    const open = spec.additionalProperties ?? !strict
    const properties = { ...(common?.properties ?? {}), ...(spec.properties ?? {}) }
    const required = [...new Set([...(common?.required ?? []), ...(spec.required ?? [])])]
    drafts.push({
      kind: 'event',
      subject: spec.name,
      name,
      pointer: pointerOf(['events', codeName]),
      schema: objectSchema(spec.description ?? `The event "${spec.name}".`, properties, required, open, iglu),
    })
  }
  if (doc.people !== undefined) {
    claim('user_profile', 'the user profile', '/people')
    drafts.push({
      kind: 'user',
      subject: '$user',
      name: 'user_profile',
      pointer: '/people',
      schema: objectSchema(
        doc.people.description ?? 'User profile properties.',
        doc.people.properties,
        [],
        doc.people.additionalProperties ?? !strict,
        iglu,
      ),
    })
  }
  for (const [key, spec] of Object.entries(doc.groups ?? {})) {
    const name = `group_${igluEventName(key)}`
    claim(name, `group ${JSON.stringify(key)}`, pointerOf(['groups', key]))
    drafts.push({
      kind: 'group',
      subject: key,
      name,
      pointer: pointerOf(['groups', key]),
      schema: objectSchema(
        spec.description ?? `Profile properties of the group ${JSON.stringify(spec.name ?? key)}.`,
        spec.properties,
        [],
        spec.additionalProperties ?? !strict,
        iglu,
      ),
    })
  }
  return drafts
}

function objectSchema(
  description: string,
  properties: Record<string, PropertySchema>,
  required: readonly string[],
  open: boolean,
  iglu: boolean,
): JsonObject {
  const converted: JsonObject = {}
  for (const [name, schema] of Object.entries(properties)) converted[name] = convert(schema, open, iglu)
  return {
    ...(iglu ? {} : { $schema: DRAFT_07 }),
    description,
    type: 'object',
    properties: converted,
    ...(required.length > 0 ? { required: [...required] } : {}),
    // Reserved names (`$...`, `mp_...`, `time`, `distinct_id`, `token`) are always allowed, as in the plan.
    ...(open ? {} : { patternProperties: { [RESERVED_PROPERTY_PATTERN]: {} }, additionalProperties: false }),
  }
}

/**
 * One property schema; nested objects inherit the event's `additionalProperties` policy. For Iglu
 * (draft-04): `const` becomes a one-value `enum`, numeric `exclusiveMinimum`/`exclusiveMaximum`
 * become `minimum`/`maximum` with the draft-04 boolean, and `examples`/`deprecated` are left out.
 */
function convert(schema: PropertySchema, open: boolean, iglu: boolean): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema) as Array<[keyof PropertySchema, unknown]>) {
    if (value === undefined) continue
    if (key === 'properties') {
      const nested: JsonObject = {}
      for (const [name, child] of Object.entries(value as Record<string, PropertySchema>))
        nested[name] = convert(child, open, iglu)
      out.properties = nested
    } else if (key === 'items') {
      out.items = convert(value as PropertySchema, open, iglu)
    } else if (iglu && (key === 'examples' || key === 'deprecated')) {
      // not draft-04 keywords
    } else if (iglu && key === 'const') {
      out.enum = [value as JsonValue]
    } else {
      out[key] = value as JsonValue
    }
  }
  if (iglu) {
    exclusiveBound(schema.exclusiveMinimum, schema.minimum, 'exclusiveMinimum', 'minimum', 1, out)
    exclusiveBound(schema.exclusiveMaximum, schema.maximum, 'exclusiveMaximum', 'maximum', -1, out)
  }
  if (schema.properties !== undefined && schema.additionalProperties === undefined && !open) {
    out.additionalProperties = false
  }
  return out
}

/** Draft-07's numeric exclusive bound as draft-04's `minimum` + `exclusiveMinimum: true`, keeping the tighter one. */
function exclusiveBound(
  exclusive: number | undefined,
  inclusive: number | undefined,
  exclusiveKey: string,
  inclusiveKey: string,
  sign: 1 | -1,
  out: JsonObject,
): void {
  if (exclusive === undefined) return
  if (inclusive !== undefined && (exclusive - inclusive) * sign < 0) {
    delete out[exclusiveKey]
    return
  }
  out[inclusiveKey] = exclusive
  out[exclusiveKey] = true
}

function versionAgainst(
  drafts: readonly Draft[],
  previous: NonNullable<SchemaExportOptions['previous']>,
  current: PlanDocument,
  iglu: boolean,
): Map<string, { version: string; change: ExportedSchema['change'] }> {
  const before = loadPlan(previous.plan).document
  const old = new Map(schemasOf(before, iglu).map((draft) => [draft.name, draft]))
  const changes = diffPlans(before, current).changes
  const out = new Map<string, { version: string; change: ExportedSchema['change'] }>()
  for (const draft of drafts) {
    const prior = old.get(draft.name)
    const known = previous.versions?.[draft.name]
    if (prior === undefined && known === undefined) continue
    const version = known ?? '1-0-0'
    if (prior !== undefined && JSON.stringify(prior.schema) === JSON.stringify(draft.schema)) {
      out.set(draft.name, { version, change: 'unchanged' })
      continue
    }
    // A schema whose previous form is unknown, or that changed although no change points at it,
    // counts as breaking: a published version is never overwritten with other content.
    let worst: 'additive' | 'breaking' | undefined = prior === undefined ? 'breaking' : undefined
    for (const change of changes) {
      if (!concerns(change, draft)) continue
      worst = change.kind === 'breaking' || worst === 'breaking' ? 'breaking' : 'additive'
    }
    worst ??= 'breaking'
    const [model, revision, addition] = version.split('-').map(Number) as [number, number, number]
    out.set(draft.name, {
      version: worst === 'breaking' ? `${model + 1}-0-0` : `${model}-${revision}-${addition + 1}`,
      change: worst,
    })
  }
  return out
}

function concerns(change: PlanChange, draft: Draft): boolean {
  const p = change.pointer
  const under = (prefix: string) => p === prefix || p.startsWith(`${prefix}/`)
  if (draft.kind === 'event') return under(draft.pointer) || under('/commonProperties')
  return under(draft.pointer)
}
