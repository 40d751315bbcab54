export { type AbortTarget, type AbortWatch, watchAbort } from './abort-watch.js'
export { APP_HOSTS, REGION_HOSTS, type Region, resolveOrigin, urlOption } from './api-host.js'
export { type Clock, sleepWith, systemClock, type TimerHandle } from './clock.js'
export { basicAuth, checkServiceAccount, type ServiceAccount } from './credentials.js'
export { TypedEmitter } from './emitter.js'
export { flatten, isValidInsertId, newInsertId } from './ids.js'
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
export {
  createMessage,
  type DropReason,
  draftMessage,
  ENDPOINTS,
  type Endpoint,
  isEndpoint,
  type JsonObject,
  type JsonValue,
  type Message,
  type MessageDraft,
  messageFromJson,
} from './message.js'
export { parseRetryAfter, RETRY_DEFAULTS, type RetryOptions, RetryPolicy } from './retry-policy.js'
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
export { boolOption, describe, enumOption, intOption, numberOption, stringOption } from './validate.js'
export { LIB_VERSION } from './version.js'
