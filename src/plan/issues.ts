import type { ErrorObject } from './ajv.js'
import { foldName, isReservedProperty, joinPath, segmentsOf } from './names.js'
import type { IssueCode, PlanIssue, PropertySchema } from './types.js'

/** An issue with what a repair needs: where it is in the checked value and the schema there. */
export interface Found {
  readonly code: IssueCode
  readonly path: string
  readonly message: string
  /** Location in the checked value (for property issues: the property itself). */
  readonly segments: readonly (string | number)[]
  /** The schema at the location (type and value issues). */
  readonly schema?: PropertySchema
  /** For `property_case_mismatch`: the declared name. */
  readonly rename?: string
}

/** Where a checked value sits: the issue path prefix and the segments inside the call's value. */
export interface Base {
  readonly path: string
  readonly segments: readonly (string | number)[]
}

const TYPE_WORDS: Record<string, string> = { object: 'an object', array: 'a list', null: 'null' }

/** The JSON type of a value, as a word for messages (values themselves are never quoted). */
export function typeWord(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}

/**
 * Turns ajv errors from validating `data` (located at `base`) into issues: one per property and
 * kind, type errors hiding value errors at the same place, unknown keys that differ from a
 * declared one only in case reported as `property_case_mismatch` (and not also as missing).
 */
export function collectErrors(errors: readonly ErrorObject[], data: unknown, base: Base, out: Found[]): void {
  const start = out.length
  const typed = new Set<string>()
  for (const error of errors) if (error.keyword === 'type') typed.add(error.instancePath)
  const seen = new Set<string>()
  const renamed: string[] = []
  for (const error of errors) {
    const at = locate(data, error.instancePath)
    const path = at.reduce<string>((p, s) => joinPath(p, s), base.path)
    const segments = [...base.segments, ...at]
    const params = error.params as Record<string, unknown>
    let found: Found
    switch (error.keyword) {
      case 'required': {
        const name = String(params.missingProperty)
        found = {
          code: 'missing_property',
          path: joinPath(path, name),
          message: `required property ${JSON.stringify(name)} is missing`,
          segments: [...segments, name],
        }
        break
      }
      case 'additionalProperties': {
        const name = String(params.additionalProperty)
        const declared = (error.parentSchema as PropertySchema | undefined)?.properties ?? {}
        const container = valueAt(data, at) as Record<string, unknown>
        const match = isReservedProperty(name)
          ? undefined
          : Object.keys(declared).find((d) => foldName(d) === foldName(name) && container[d] === undefined)
        if (match !== undefined) {
          renamed.push(joinPath(path, match))
          found = {
            code: 'property_case_mismatch',
            path: joinPath(path, name),
            message: `property ${JSON.stringify(name)} is planned as ${JSON.stringify(match)}`,
            segments: [...segments, name],
            rename: match,
          }
        } else {
          found = {
            code: 'unplanned_property',
            path: joinPath(path, name),
            message: `property ${JSON.stringify(name)} is not in the plan`,
            segments: [...segments, name],
          }
        }
        break
      }
      case 'type':
        found = {
          code: 'invalid_type',
          path,
          message: `expected ${[params.type]
            .flat()
            .map((t) => TYPE_WORDS[String(t)] ?? String(t))
            .join(' or ')}, got ${typeWord(valueAt(data, at))}`,
          segments,
          schema: error.parentSchema as PropertySchema,
        }
        break
      default:
        if (typed.has(error.instancePath)) continue
        found = {
          code: 'invalid_value',
          path,
          message: valueMessage(error),
          segments,
          schema: error.parentSchema as PropertySchema,
        }
    }
    const key = `${found.code} ${found.path}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(found)
  }
  if (renamed.length > 0) {
    for (let i = out.length - 1; i >= start; i--) {
      const f = out[i]!
      if (f.code === 'missing_property' && renamed.includes(f.path)) out.splice(i, 1)
    }
  }
}

function valueMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'enum') {
    const allowed = params.allowedValues as unknown[]
    const shown = allowed.slice(0, 10).map((v) => JSON.stringify(v))
    return `expected one of ${shown.join(', ')}${allowed.length > 10 ? ', ...' : ''}`
  }
  if (error.keyword === 'const') return `expected ${JSON.stringify(params.allowedValue)}`
  return error.message ?? `fails ${error.keyword}`
}

/** Segments of an ajv instance path, list indexes as numbers. */
function locate(data: unknown, instancePath: string): (string | number)[] {
  const out: (string | number)[] = []
  let node = data
  for (const segment of segmentsOf(instancePath)) {
    if (Array.isArray(node)) {
      const index = Number(segment)
      out.push(index)
      node = node[index]
    } else {
      out.push(segment)
      node =
        node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined
    }
  }
  return out
}

/** The value at `segments` inside `data`. */
export function valueAt(data: unknown, segments: readonly (string | number)[]): unknown {
  let node = data
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<string | number, unknown>)[segment]
  }
  return node
}

/** The public form of an issue. */
export function toIssue(found: Found, fixed: boolean): PlanIssue {
  return fixed
    ? { code: found.code, path: found.path, message: found.message, fixed: true }
    : { code: found.code, path: found.path, message: found.message }
}
