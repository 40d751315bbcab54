/**
 * `eventwire/plan`: tracking-plan tooling — load, lint, diff, generate TypeScript types, sync with
 * Mixpanel Lexicon, export JSON Schemas or an Iglu folder — and the runtime enforcer the client
 * uses (also exported by `eventwire`).
 */

export type {
  LexiconEntry,
  LexiconOptions,
  LexiconServiceAccount,
} from '../app-api/index.js'
export {
  formatProblem,
  LexiconError,
  PlanError,
  type PlanProblem,
  PlanViolationError,
} from '../errors/index.js'
export { generatePlanTypes } from './codegen.js'
export { TrackingPlan } from './compile.js'
export { type ChangeKind, diffPlans, type PlanChange, type PlanDiff } from './diff.js'
export {
  createPlanEnforcer,
  type PlanEnforcer,
  type PlanEnforcerOptions,
  type PlanEnforcerStats,
} from './enforcer.js'
export {
  fromLexiconEntries,
  type LexiconExport,
  type LexiconExportOptions,
  type LexiconImportOptions,
  toLexiconEntries,
} from './lexicon.js'
export {
  type PullResult,
  type PushOptions,
  type PushResult,
  pullPlan,
  pushPlan,
} from './lexicon-sync.js'
export { type LintFinding, type LintResult, lintPlan } from './lint.js'
export { loadPlan, type PlanInput } from './load.js'
export { PLAN_JSON_SCHEMA } from './plan-schema.js'
export {
  DEVELOPMENT_POLICY,
  defaultPolicy,
  FIXABLE_CODES,
  PRODUCTION_POLICY,
  type ResolvedPolicy,
  resolvePolicy,
} from './policy.js'
export {
  EXPORT_MANIFEST,
  type ExportedSchema,
  type ExportManifest,
  exportPlanSchemas,
  IGLU_META_SCHEMA,
  igluEventName,
  type SchemaExport,
  type SchemaExportOptions,
} from './schema-export.js'
export {
  compareSchemaVer,
  igluVersionsIn,
  readExportManifest,
  writeSchemaExport,
} from './schema-export-files.js'
export {
  type CommonPropertiesSpec,
  type EventSpec,
  ISSUE_CODES,
  type IssueCode,
  type PlanAction,
  type PlanDocument,
  type PlanIssue,
  type PlanPolicy,
  type PlanTypeName,
  type PlanVerdict,
  type ProfileSpec,
  type PropertySchema,
} from './types.js'
export {
  PLAN_VIOLATION_EVENT,
  type PlanViolation,
  violationEventProperties,
} from './violation.js'
