import type { JsonObject, JsonValue } from '../message/index.js'
import { typesOf } from './checks.js'
import type { CompiledProfile } from './compile.js'
import { collectErrors, type Found } from './issues.js'
import { foldName, isReservedProperty, joinPath } from './names.js'

/** True for a JSON object (not null, not a list). */
export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Issues of one profile operation: `$set`/`$set_once` like event properties (nothing required),
 * `$add` numeric properties, `$append`/`$remove`/`$union` list properties with valid items,
 * `$unset` planned names. Other operations have no issues.
 */
export function checkProfile(profile: CompiledProfile, operation: string, value: JsonValue): Found[] {
  const out: Found[] = []
  if (operation === '$unset') {
    if (!Array.isArray(value)) return out
    value.forEach((name, i) => {
      if (typeof name === 'string') unknownName(profile, name, joinPath(operation, i), [i], out)
    })
    return out
  }
  if (!isObject(value)) return out
  if (operation === '$set' || operation === '$set_once') {
    if (!profile.validateSet(value))
      collectErrors(profile.validateSet.errors ?? [], value, { path: operation, segments: [] }, out)
    return out
  }
  if (operation !== '$add' && operation !== '$append' && operation !== '$remove' && operation !== '$union')
    return out
  for (const [key, item] of Object.entries(value)) {
    const path = joinPath(operation, key)
    const schema = profile.properties[key]
    if (schema === undefined) {
      unknownName(profile, key, path, [key], out)
      continue
    }
    const types = typesOf(schema)
    if (operation === '$add') {
      if (types !== undefined && !types.includes('number') && !types.includes('integer')) {
        out.push({
          code: 'invalid_type',
          path,
          message: `$add needs a numeric property; planned as ${types.join(' | ')}`,
          segments: [key],
        })
      }
      continue
    }
    if (types !== undefined && !types.includes('array')) {
      out.push({
        code: 'invalid_type',
        path,
        message: `${operation} needs a list property; planned as ${types.join(' | ')}`,
        segments: [key],
      })
      continue
    }
    const validate = profile.itemValidators.get(key)
    if (validate === undefined) continue
    const items = operation === '$union' && Array.isArray(item) ? item : [item]
    items.forEach((element, i) => {
      const at =
        operation === '$union' ? { path: joinPath(path, i), segments: [key, i] } : { path, segments: [key] }
      if (!validate(element)) collectErrors(validate.errors ?? [], element, at, out)
    })
  }
  return out
}

function unknownName(
  profile: CompiledProfile,
  name: string,
  path: string,
  segments: (string | number)[],
  out: Found[],
): void {
  if (Object.hasOwn(profile.properties, name) || isReservedProperty(name)) return
  const match = profile.folded.get(foldName(name))
  if (match !== undefined) {
    out.push({
      code: 'property_case_mismatch',
      path,
      message: `property ${JSON.stringify(name)} is planned as ${JSON.stringify(match)}`,
      segments,
      rename: match,
    })
  } else if (!profile.additionalProperties) {
    out.push({
      code: 'unplanned_property',
      path,
      message: `property ${JSON.stringify(name)} is not in the plan`,
      segments,
    })
  }
}
