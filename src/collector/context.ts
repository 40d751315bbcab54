import type { Clock, Logger } from '../internal/index.js'
import type { BodyLimits } from './http-io.js'
import type { ImportCredentials } from './import-auth.js'
import type { CollectorStore, ProfileChange } from './storage.js'
import type { StoredItem } from './types.js'
import type { EventValidator } from './validators.js'

/** What the ingestion handlers share: storage, limits, checks and the live stream. */
export interface IngestContext {
  store: CollectorStore
  clock: Clock
  logger: Logger
  limits: BodyLimits
  /** The project token events are expected to carry, when configured. */
  token: string | undefined
  /** `/import` credentials; undefined when `/import` is not authenticated. */
  credentials: ImportCredentials | undefined
  validators: readonly EventValidator[]
  /** Announces stored items and changed profiles to stream clients. */
  publish(result: { items: StoredItem[]; profiles: ProfileChange[] }): void
  /** Announces changed counters (e.g. after a refused request). */
  publishStats(): void
}
