export { type AbortTarget, type AbortWatch, watchAbort } from './abort-watch.js'
export { REGION_HOSTS, type Region, resolveOrigin, urlOption } from './api-host.js'
export { type Clock, sleepWith, systemClock, type TimerHandle } from './clock.js'
export { basicAuth, checkServiceAccount, SERVICE_ACCOUNT_FIELDS, type ServiceAccount } from './credentials.js'
export { TypedEmitter } from './emitter.js'
export { KeepAlive } from './keep-alive.js'
export {
  createStderrLogger,
  type LogFn,
  type Logger,
  type LoggerOption,
  resolveLogger,
  STDERR_INTERVAL_MS,
  silentLogger,
  stderrLogger,
} from './logger.js'
export { normaliseOptionName, suggestOptionName } from './option-hints.js'
export {
  importPeer,
  isUnbuiltNativeModule,
  type PeerUse,
  peerError,
  requirePeer,
} from './optional-peer.js'
export {
  type KnownSecret,
  patternRedactor,
  REDACTED,
  Redactor,
  redactForm,
  redactHeaders,
  redactPatterns,
  redactQuery,
  redactUrl,
  SECRET_HEADERS,
  SECRET_PARAMS,
} from './redact.js'
export {
  parseRetryAfter,
  RETRY_DEFAULTS,
  RETRY_OPTIONS,
  type RetryOptions,
  RetryPolicy,
} from './retry-policy.js'
export {
  defaultSqliteDriver,
  type OpenSqliteOptions,
  openSqlite,
  runtimeName,
  sqliteUnavailableMessage,
} from './sqlite-driver.js'
export {
  firstColumn,
  type SqliteDatabase,
  type SqliteDriverName,
  type SqliteRunResult,
  type SqliteStatement,
  SqliteUnavailableError,
  type SqliteValue,
  sqliteErrorCode,
} from './sqlite-types.js'
export {
  boolOption,
  type CheckOptionsContext,
  checkOptions,
  definedOptions,
  describe,
  enumOption,
  intOption,
  numberOption,
  type OptionList,
  omitOptions,
  optionList,
  pickOptions,
  stringOption,
} from './validate.js'
export { LIB_VERSION } from './version.js'
