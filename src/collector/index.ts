export { type Collector, type CollectorTls, type EventQuery, startCollector } from './collector.js'
export type { FaultOptions, ResolvedFaults } from './faults.js'
export type { FlagExplanation, RolloutStep } from './flags-explain.js'
export type { FlagsEvaluator, RemoteVariant } from './flags-source.js'
export type { PropertyFilter } from './item-query.js'
export { MAX_JSON_DEPTH } from './json-depth.js'
export { COLLECTOR_DEFAULTS, COLLECTOR_OPTIONS, type CollectorOptions, type HttpsFiles } from './options.js'
export type {
  CoverageReport,
  PlannedEventCoverage,
  PropertyCount,
  UnplannedEventCount,
} from './plan-coverage.js'
export type { TimelineBucket } from './storage.js'
export type {
  CollectorIssue,
  CollectorStats,
  IssueSource,
  ItemKind,
  ItemSource,
  StoredItem,
  StoredProfile,
  StoredRequest,
  Verdict,
} from './types.js'
export type { EventValidator, ProfileOperation, ValidatorIssue } from './validators.js'
