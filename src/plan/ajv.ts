import { createRequire } from 'node:module'
import type AjvModule from 'ajv'
import type { ErrorObject, ValidateFunction } from 'ajv'
import type formatsModule from 'ajv-formats'
import { PlanError } from '../errors/index.js'
import { isDateTime } from './formats.js'
import { pointerOf } from './names.js'
import { PLAN_JSON_SCHEMA } from './plan-schema.js'

type AjvClass = typeof AjvModule.default
type AddFormats = typeof formatsModule.default

/** The ajv type, for the compiled plan. */
export type AjvInstance = InstanceType<AjvClass>
export type { ErrorObject, ValidateFunction }

let loaded: { Ajv: AjvClass; addFormats: AddFormats } | undefined

/**
 * ajv and ajv-formats, loaded when the first plan is compiled or checked: they are most of what a
 * tracking plan costs to load, and the main entry exports the plan API whether or not it is used.
 */
function ajvModules(): { Ajv: AjvClass; addFormats: AddFormats } {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url)
    // Both are CommonJS modules that also put their export on `.default`.
    loaded = {
      Ajv: (require('ajv') as typeof AjvModule).default,
      addFormats: (require('ajv-formats') as typeof formatsModule).default,
    }
  }
  return loaded
}

/**
 * A new ajv instance for a plan's validators: every error collected, errors carry their schema
 * (for repairs), formats from ajv-formats, unknown keywords rejected, nothing logged.
 */
export function createAjv(): AjvInstance {
  const { Ajv, addFormats } = ajvModules()
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    allowUnionTypes: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // Property schemas were already checked against the plan's own JSON Schema; compiling ajv's
    // meta-schema into every plan's instance would only cost time.
    validateSchema: false,
    // Decimal steps such as multipleOf 0.01 need a tolerance: 19.99 / 0.01 is not an integer in floating point.
    multipleOfPrecision: 9,
    logger: false,
  })
  addFormats(ajv)
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime })
  return ajv
}

let metaValidator: ValidateFunction | undefined

/** Validates a document against the plan's JSON Schema; compiled once per process. */
export function validatePlanShape(document: unknown): ErrorObject[] {
  if (metaValidator === undefined) {
    const { Ajv, addFormats } = ajvModules()
    const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false, logger: false })
    addFormats(ajv)
    metaValidator = ajv.compile(PLAN_JSON_SCHEMA)
  }
  return metaValidator(document) ? [] : [...(metaValidator.errors ?? [])]
}

/** Compiles one schema, turning an ajv compile failure into a {@link PlanError} at `segments`. */
export function compileAt(
  ajv: AjvInstance,
  schema: object,
  file: string | undefined,
  segments: readonly (string | number)[],
): ValidateFunction {
  try {
    return ajv.compile(schema)
  } catch (error) {
    throw new PlanError(file, [{ pointer: pointerOf(segments), message: (error as Error).message }], {
      cause: error,
    })
  }
}
