import type { Clock, Logger } from '../internal/index.js'
import type { BodyLimits } from './http-io.js'
import type { IgluRegistry } from './iglu-registry.js'
import type { ImportCredentials } from './import-auth.js'
import type { CollectorStorage, NewRequest } from './storage.js'
import type { NewItem } from './types.js'
import type { EventValidator } from './validators.js'

/** What the ingestion handlers share: storage, limits, checks and the live stream. */
export interface IngestContext {
  store: CollectorStorage
  clock: Clock
  logger: Logger
  limits: BodyLimits
  /** The project token events are expected to carry, when configured. */
  token: string | undefined
  /** `/import` credentials; undefined when `/import` is not authenticated. */
  credentials: ImportCredentials | undefined
  validators: readonly EventValidator[]
  /** The user's Iglu schemas (`--iglu`), when given. */
  iglu: IgluRegistry | undefined
  /**
   * The event name validators know a Snowplow self-describing event by (its schema name, or the
   * planned event exported under that name).
   */
  snowplowEventName(schemaName: string): string
  /** Stores one request's items with the request, and announces them to stream clients. */
  commit(items: NewItem[], request: NewRequest, receivedAt: number): void
  /** Records a request that stored nothing (refused, malformed, faulted) and announces the counters. */
  refuse(request: NewRequest, receivedAt: number): void
}
