import { ConfigError, GdprApiError } from '../errors/index.js'
import { checkOptions, enumOption, intOption, optionList, stringOption } from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { APP_API_CONNECTION_OPTIONS, AppApiConnection, type AppApiConnectionOptions } from './connection.js'

/** Options of {@link GdprClient}. */
export interface GdprClientOptions extends AppApiConnectionOptions {
  /** The project token, sent as `?token=`. */
  token: string
  /** The GDPR OAuth token (account settings; owner or admin), sent as a Bearer token. Never printed. */
  gdprToken: string
  /** `GDPR` or `CCPA`. @default 'GDPR' */
  complianceType?: 'GDPR' | 'CCPA'
  /**
   * Distinct ids per deletion request. Mixpanel's API reference allows 1999 and its privacy guide
   * 2000; 1999 satisfies both.
   * @default 1999
   */
  batchSize?: number
  /** Least time between two requests, in milliseconds (the API allows 1 request per second). @default 1000 */
  minIntervalMs?: number
  /** Retries of 429, 5xx and network failures. @default { retryLimit: 5, retryBackoffFactor: 2 } */
  retry?: AppApiConnectionOptions['retry']
}

/** Defaults of {@link GdprClientOptions}. */
export const GDPR_CLIENT_DEFAULTS = {
  complianceType: 'GDPR' as 'GDPR' | 'CCPA',
  batchSize: 1999,
  minIntervalMs: 1000,
  retry: { retryLimit: 5, retryBackoffFactor: 2 },
} as const

/** The names of {@link GdprClientOptions}. */
export const GDPR_CLIENT_OPTIONS = optionList<GdprClientOptions>()({
  ...APP_API_CONNECTION_OPTIONS,
  token: true,
  gdprToken: true,
  complianceType: true,
  batchSize: true,
  minIntervalMs: true,
})

/** A deletion task Mixpanel created. */
export interface DeletionTask {
  readonly trackingId: string
  /** Distinct ids in the request. */
  readonly ids: number
}

/** The state of a deletion task. */
export interface DeletionStatus {
  readonly trackingId: string
  /** `PENDING`, `STAGING`, `STARTED`, `SUCCESS`, `FAILURE`, `REVOKED`, `NOT_FOUND` or `UNKNOWN`. */
  readonly status: string
  /** The API's `results` object as received. */
  readonly results: JsonObject
}

/** Largest deletion batch Mixpanel documents anywhere. */
const MAX_BATCH = 2000

/**
 * A client of Mixpanel's GDPR / CCPA API v3 for deletions: creates deletion tasks for distinct
 * ids (`POST /data-deletions/v3.0?token=`, Bearer auth) in batches, and reads a task's status.
 * Requests are spaced by `minIntervalMs` on the injected clock (1 request per second); 429, 5xx
 * and network failures are retried with backoff, honouring `Retry-After`.
 */
export class GdprClient {
  readonly batchSize: number
  readonly complianceType: 'GDPR' | 'CCPA'
  /** Requests sent, retries included. */
  requests = 0
  readonly #token: string
  readonly #connection: AppApiConnection
  #nextAt = Number.NEGATIVE_INFINITY

  /** @throws {ConfigError} naming the option. */
  constructor(options: GdprClientOptions) {
    checkOptions(options, GDPR_CLIENT_OPTIONS, 'GdprClient', { required: true })
    this.#token =
      stringOption('token', options.token, undefined) ?? missing('token', 'the project token is required')
    const gdprToken =
      stringOption('gdprToken', options.gdprToken, undefined) ??
      missing('gdprToken', 'the GDPR OAuth token is required')
    this.complianceType = enumOption(
      'complianceType',
      options.complianceType,
      ['GDPR', 'CCPA'] as const,
      GDPR_CLIENT_DEFAULTS.complianceType,
    )
    this.batchSize = intOption('batchSize', options.batchSize, GDPR_CLIENT_DEFAULTS.batchSize, 1, MAX_BATCH)
    const minIntervalMs = intOption(
      'minIntervalMs',
      options.minIntervalMs,
      GDPR_CLIENT_DEFAULTS.minIntervalMs,
      0,
    )
    this.#connection = new AppApiConnection(options, {
      api: 'GDPR',
      owner: 'GdprClient',
      path: '/data-deletions/v3.0',
      authorization: `Bearer ${gdprToken}`,
      secrets: [gdprToken],
      retry: GDPR_CLIENT_DEFAULTS.retry,
      // The API allows one request per second: space every attempt, retries included.
      throttle: async () => {
        const clock = this.#connection.clock
        const wait = this.#nextAt - clock.now()
        if (wait > 0) await clock.sleep(wait)
        this.#nextAt = clock.now() + minIntervalMs
        this.requests++
      },
      explain: (status, detail) =>
        status === 401 || status === 403
          ? `${detail} (check the GDPR OAuth token: it expires after a year and needs the owner or admin role)`
          : detail,
      error: (message, details) => new GdprApiError(message, details),
    })
  }

  /** Creates one deletion task for up to `batchSize` distinct ids. @throws {GdprApiError} */
  async createDeletion(ids: readonly string[]): Promise<DeletionTask> {
    if (ids.length === 0 || ids.length > this.batchSize) {
      throw new ConfigError('ids', `expected 1 to ${this.batchSize} distinct ids, got ${ids.length}`)
    }
    const body = await this.#request('POST', '', {
      distinct_ids: [...ids],
      compliance_type: this.complianceType,
    })
    const results = objectOf(body.results)
    const id = [results.tracking_id, results.task_id, body.tracking_id, body.task_id].find(
      (v): v is string | number => typeof v === 'string' || typeof v === 'number',
    )
    if (id === undefined) throw new GdprApiError('POST data-deletions: the answer has no tracking_id')
    return { trackingId: String(id), ids: ids.length }
  }

  /**
   * Creates deletion tasks for every id, `batchSize` per request, one request per `minIntervalMs`.
   * `onTask` sees each task as it is created. @throws {GdprApiError} on the first refused request
   * (tasks created before it stand; `onTask` has seen them).
   */
  async deleteIds(
    ids: Iterable<string> | AsyncIterable<string>,
    onTask?: (task: DeletionTask) => void,
  ): Promise<DeletionTask[]> {
    const tasks: DeletionTask[] = []
    let batch: string[] = []
    const send = async () => {
      const task = await this.createDeletion(batch)
      batch = []
      tasks.push(task)
      onTask?.(task)
    }
    for await (const id of ids) {
      batch.push(id)
      if (batch.length >= this.batchSize) await send()
    }
    if (batch.length > 0) await send()
    return tasks
  }

  /** Reads the state of a deletion task. @throws {GdprApiError} */
  async deletionStatus(trackingId: string): Promise<DeletionStatus> {
    if (typeof trackingId !== 'string' || trackingId === '')
      throw new ConfigError('trackingId', 'expected a tracking id')
    const body = await this.#request('GET', `/${encodeURIComponent(trackingId)}`, undefined)
    const results = objectOf(body.results)
    const status = typeof results.status === 'string' ? results.status : 'UNKNOWN'
    return { trackingId, status, results }
  }

  /** Closes the transport if this client created it. */
  close(): Promise<void> {
    return this.#connection.close()
  }

  #request(method: 'GET' | 'POST', path: string, body: JsonObject | undefined): Promise<JsonObject> {
    return this.#connection.request({
      method,
      path,
      label: `${method} data-deletions`,
      query: { token: this.#token },
      body,
    })
  }
}

function objectOf(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {}
}

function missing(option: string, message: string): never {
  throw new ConfigError(option, message)
}
