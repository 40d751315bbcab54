import { PlanError } from '../errors/index.js'
import { shapeProblems, structuralProblems } from './checks.js'
import { TrackingPlan } from './compile.js'
import { locateProblems, readPlanSource } from './source.js'
import type { PlanDocument } from './types.js'

/** What `loadPlan` and the plan tools accept: a file path, a plan object, or a loaded plan. */
export type PlanInput = string | PlanDocument | TrackingPlan

/**
 * Loads a tracking plan from a JSON or YAML file (read synchronously, so it can run in a
 * constructor) or from a plan object, checks it against the plan's JSON Schema and for
 * ambiguities, and compiles every validator once.
 *
 * @throws {PlanError} `EVENTWIRE_INVALID_PLAN`, naming the file and, per problem, the JSON pointer
 *   (and line and column for files).
 */
export function loadPlan(input: PlanInput): TrackingPlan {
  if (input instanceof TrackingPlan) return input
  const source = readPlanSource(input)
  const shape = shapeProblems(source.document)
  if (shape.length > 0) throw new PlanError(source.file, locateProblems(source, shape))
  const document = source.document as PlanDocument
  const structure = structuralProblems(document)
  if (structure.length > 0) throw new PlanError(source.file, locateProblems(source, structure))
  return new TrackingPlan(document, source.file)
}
