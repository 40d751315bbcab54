export {
  GdprApiError,
  LexiconError,
} from './app-api-errors.js'
export { BulkError } from './bulk-error.js'
export { ClosedError } from './closed-error.js'
export { type CodeOf, ERROR_CLASSES, ERROR_CODES, type ErrorClassName, type ErrorCode } from './codes.js'
export { CollectorError } from './collector-error.js'
export { ConfigError, type ConfigErrorOptions } from './config-error.js'
export { ConsumerError } from './consumer-error.js'
export {
  DeliveryError,
  type DeliveryErrorOptions,
  type FailedRecord,
  ImportError,
  isDeliveryCode,
  MixpanelError,
  type RejectedMessage,
} from './delivery-error.js'
export { MissingDependencyError } from './dependency-error.js'
export { EventwireError, type EventwireErrorOptions, isEventwireError } from './eventwire-error.js'
export { FanoutError, type FanoutFailure } from './fanout-error.js'
export { FlagsError } from './flags-error.js'
export {
  formatProblem,
  type IssueCode,
  PlanError,
  type PlanIssue,
  type PlanProblem,
  PlanViolationError,
} from './plan-errors.js'
export { REDACTED, redactPatterns } from './redact-patterns.js'
export { StoreError } from './store-error.js'
export { ValidationError } from './validation-error.js'
