import { PlanError, type PlanProblem } from '../errors/index.js'
import { shapeProblems, structuralProblems, typesOf } from './checks.js'
import { TrackingPlan } from './compile.js'
import type { PlanInput } from './load.js'
import { foldName, pointerOf } from './names.js'
import { locateProblems, type PlanSource, readPlanSource } from './source.js'
import type { PlanDocument, PropertySchema } from './types.js'

/** One lint finding. `rule` names the check; see docs/tracking-plan.md for the list. */
export interface LintFinding extends PlanProblem {
  readonly severity: 'error' | 'warning'
  readonly rule: string
}

/** What {@link lintPlan} found. */
export interface LintResult {
  readonly file: string | undefined
  readonly errors: readonly LintFinding[]
  readonly warnings: readonly LintFinding[]
  /** True when there are no errors (warnings allowed). */
  readonly ok: boolean
}

/**
 * Checks a plan without throwing: parse and JSON Schema errors, duplicate names and aliases, names
 * differing only in case, undeclared required properties, contradictory constraints (all of
 * which also stop `loadPlan`), plus consistency across events: a property name with different
 * types in different events, property names differing only in case across events. Warnings:
 * events without a description, deprecated events without `replacedBy`, aliases already covered
 * by case-insensitive matching, events redeclaring a common property.
 */
export function lintPlan(input: PlanInput): LintResult {
  let source: PlanSource
  if (input instanceof TrackingPlan) source = { document: input.document, file: input.file, text: undefined }
  else {
    try {
      source = readPlanSource(input)
    } catch (error) {
      if (!(error instanceof PlanError)) throw error
      return result(
        typeof input === 'string' ? input : undefined,
        error.problems.map((p) => finding(p, 'parse')),
        [],
      )
    }
  }
  const shape = shapeProblems(source.document)
  if (shape.length > 0) return result(source.file, located(source, shape), [])
  const doc = source.document as PlanDocument
  const errors = [...structuralProblems(doc)]
  if (errors.length === 0) {
    try {
      new TrackingPlan(doc, source.file)
    } catch (error) {
      if (!(error instanceof PlanError)) throw error
      errors.push(...error.problems.map((p) => ({ ...p, rule: 'compile' })))
    }
  }
  const warnings: PlanProblem[] = []
  consistency(doc, errors, warnings)
  return result(source.file, located(source, errors), located(source, warnings, 'warning'))
}

function located(
  source: PlanSource,
  problems: readonly PlanProblem[],
  severity: 'error' | 'warning' = 'error',
): LintFinding[] {
  return locateProblems(source, problems).map((p) => finding(p, p.rule ?? 'schema', severity))
}

function finding(problem: PlanProblem, rule: string, severity: 'error' | 'warning' = 'error'): LintFinding {
  return { ...problem, rule: problem.rule ?? rule, severity }
}

function result(file: string | undefined, errors: LintFinding[], warnings: LintFinding[]): LintResult {
  return { file, errors, warnings, ok: errors.length === 0 }
}

function typeKey(schema: PropertySchema): string {
  const types = typesOf(schema)
  if (types === undefined) return schema.enum !== undefined || schema.const !== undefined ? 'enum' : 'any'
  // integer is a number: an integer in one event and a number in another is consistent enough.
  return [...new Set(types.map((t) => (t === 'integer' ? 'number' : t)))].sort().join('|')
}

function consistency(doc: PlanDocument, errors: PlanProblem[], warnings: PlanProblem[]): void {
  const common = doc.commonProperties?.properties ?? {}
  const firstByName = new Map<string, { type: string; where: string }>()
  const firstByFold = new Map<string, { name: string; where: string }>()
  const visit = (
    map: Record<string, PropertySchema>,
    segments: readonly (string | number)[],
    where: string,
  ) => {
    for (const [name, schema] of Object.entries(map)) {
      const type = typeKey(schema)
      const pointer = pointerOf([...segments, name])
      const seen = firstByName.get(name)
      if (seen === undefined) firstByName.set(name, { type, where })
      else if (seen.type !== type && seen.type !== 'any' && type !== 'any') {
        errors.push({
          pointer,
          rule: 'type-conflict',
          message: `property ${JSON.stringify(name)} is ${type} here but ${seen.type} in ${seen.where}`,
        })
      }
      const fold = foldName(name)
      const near = firstByFold.get(fold)
      if (near === undefined) firstByFold.set(fold, { name, where })
      else if (near.name !== name) {
        errors.push({
          pointer,
          rule: 'property-case-collision',
          message: `property ${JSON.stringify(name)} differs from ${JSON.stringify(near.name)} in ${near.where} only in case or separators`,
        })
      }
    }
  }
  visit(common, ['commonProperties', 'properties'], 'the common properties')
  for (const [key, event] of Object.entries(doc.events)) {
    visit(event.properties ?? {}, ['events', key, 'properties'], `event ${key}`)
    if (!event.description)
      warnings.push({
        pointer: pointerOf(['events', key]),
        rule: 'missing-description',
        message: 'event has no description',
      })
    if (event.deprecated && event.replacedBy === undefined) {
      warnings.push({
        pointer: pointerOf(['events', key, 'deprecated']),
        rule: 'deprecated-without-replacement',
        message: 'deprecated event names no replacement (replacedBy)',
      })
    }
    event.aliases?.forEach((alias, i) => {
      if (foldName(alias) === foldName(event.name)) {
        warnings.push({
          pointer: pointerOf(['events', key, 'aliases', i]),
          rule: 'redundant-alias',
          message: `alias ${JSON.stringify(alias)} already matches the name ignoring case`,
        })
      }
    })
    for (const name of Object.keys(event.properties ?? {})) {
      if (Object.hasOwn(common, name)) {
        warnings.push({
          pointer: pointerOf(['events', key, 'properties', name]),
          rule: 'common-override',
          message: `redeclares the common property ${JSON.stringify(name)}`,
        })
      }
    }
  }
}
