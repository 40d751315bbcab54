/**
 * Mixpanel's App API clients, together: the Lexicon Schemas API ({@link LexiconClient}, used by
 * `pushPlan` / `pullPlan` and {@link deprecateEvents}) and the GDPR API ({@link GdprClient}). One
 * origin resolution ({@link appApiBase}), one credentials check, one request loop
 * ({@link AppApiConnection}). Public through `eventwire/plan` and `eventwire/bulk`.
 */

export { GdprApiError, LexiconError } from '../errors/index.js'
export { APP_API_CONNECTION_OPTIONS, AppApiConnection, type AppApiConnectionOptions } from './connection.js'
export {
  DEPRECATE_EVENTS_OPTIONS,
  type DeprecateEventsOptions,
  type DeprecateEventsResult,
  deprecateEvents,
} from './deprecate-events.js'
export {
  type DeletionStatus,
  type DeletionTask,
  GDPR_CLIENT_OPTIONS,
  GdprClient,
  type GdprClientOptions,
} from './gdpr-client.js'
export {
  LEXICON_DEFAULTS,
  LEXICON_OPTIONS,
  LexiconClient,
  type LexiconEntry,
  type LexiconOptions,
  type LexiconServiceAccount,
  type LexiconWriteResult,
} from './lexicon-client.js'
export { APP_HOSTS, appApiBase } from './origin.js'
