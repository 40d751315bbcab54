export { type Collector, type EventQuery, startCollector } from './collector.js'
export type { FaultOptions, ResolvedFaults } from './faults.js'
export type { FlagsEvaluator, RemoteVariant } from './flags-source.js'
export { COLLECTOR_DEFAULTS, type CollectorOptions } from './options.js'
export type {
  CollectorIssue,
  CollectorStats,
  ItemKind,
  ItemSource,
  StoredItem,
  StoredProfile,
} from './types.js'
export type { EventValidator, ProfileOperation, ValidatorIssue } from './validators.js'
