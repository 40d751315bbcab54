import {
  type Clock,
  checkOptions,
  type KnownSecret,
  type LoggerOption,
  optionList,
  RETRY_OPTIONS,
  Redactor,
  type Region,
  type RetryOptions,
  RetryPolicy,
  resolveLogger,
  systemClock,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { HttpTransport } from '../transport/index.js'
import { appApiBase } from './origin.js'
import { type JsonApiContext, type JsonApiRequest, requestJson } from './request-json.js'

/** Options every App API client takes: where the API is, how to retry, what to send through. */
export interface AppApiConnectionOptions {
  /** Data residency of the project: `https://{mixpanel|eu.mixpanel|in.mixpanel}.com/api/app`. @default 'us' */
  region?: Region
  /**
   * Host or origin to use instead of the region's (e.g. `http://127.0.0.1:4000`); `/api/app` is
   * appended. A Mixpanel ingestion host (`api-eu.mixpanel.com`) means its region's App API host.
   */
  apiHost?: string
  /** Retries of 429, 5xx and network failures (each client documents its default). */
  retry?: RetryOptions
  /** Time source for rate limiting and backoff. @default systemClock */
  clock?: Clock
  /** Random source for backoff jitter. @default Math.random */
  random?: () => number
  /** HTTP transport; one is created (and closed by the client's `close()`) when omitted. */
  transport?: HttpTransport
  /** A pino-compatible logger, or `false` for silence. @default warnings and errors to stderr */
  logger?: LoggerOption
}

/** Defaults of {@link AppApiConnectionOptions}. */
export const APP_API_CONNECTION_DEFAULTS = { region: 'us' as Region } as const

/** The names of {@link AppApiConnectionOptions}. */
export const APP_API_CONNECTION_OPTIONS = optionList<AppApiConnectionOptions>()({
  region: true,
  apiHost: true,
  retry: true,
  clock: true,
  random: true,
  transport: true,
  logger: true,
})

/** What one App API brings to an {@link AppApiConnection}: its name, credentials and rules. */
export interface AppApiRules
  extends Pick<JsonApiContext, 'api' | 'throttle' | 'explain' | 'error' | 'bodyProblem' | 'onWait'> {
  /** The client named in option errors, e.g. `GdprClient`. */
  readonly owner: string
  /** The path under `/api/app` every request starts with, e.g. `/projects/42`. */
  readonly path: string
  /** The `Authorization` header of every request. */
  readonly authorization: string
  /** The credentials, taken out of every message and log line. */
  readonly secrets: readonly KnownSecret[]
  /** The API's retry defaults, under the caller's `retry` option. */
  readonly retry: RetryOptions
}

/** One request through an {@link AppApiConnection}. */
export interface AppApiRequest {
  readonly method: 'GET' | 'POST'
  /** The path under the connection's base, e.g. `/schemas` (may be empty). */
  readonly path: string
  /** Names the request in messages, e.g. `POST /schemas`. */
  readonly label: string
  readonly query?: Readonly<Record<string, string>>
  readonly body?: JsonObject
  /** Rate-limit units the request uses. @default 1 */
  readonly units?: number
}

/**
 * What every App API client (Lexicon, GDPR) shares: the one origin resolution ({@link appApiBase}),
 * the retry policy, the transport (created and closed here unless given), the redacting logger,
 * and the one request loop ({@link requestJson}: rate limit, retries, the API's own errors).
 */
export class AppApiConnection {
  /** The base URL of every request: the App API base and the rules' path. */
  readonly base: string
  readonly clock: Clock
  readonly #context: JsonApiContext
  readonly #authorization: string
  readonly #ownsTransport: boolean

  /** @throws {ConfigError} for an invalid `region`, `apiHost` or `retry`. */
  constructor(options: AppApiConnectionOptions, rules: AppApiRules) {
    if (options.retry !== undefined) checkOptions(options.retry, RETRY_OPTIONS, `${rules.owner}'s retry`)
    this.base = `${appApiBase(options.apiHost, options.region ?? APP_API_CONNECTION_DEFAULTS.region)}${rules.path}`
    this.clock = options.clock ?? systemClock
    this.#authorization = rules.authorization
    const policy = new RetryPolicy({ ...rules.retry, ...options.retry }, options.random)
    this.#ownsTransport = options.transport === undefined
    const redactor = new Redactor(rules.secrets)
    this.#context = {
      api: rules.api,
      redactor,
      transport: options.transport ?? new HttpTransport(),
      policy,
      clock: this.clock,
      logger: resolveLogger(options.logger, redactor),
      throttle: rules.throttle,
      explain: rules.explain,
      error: rules.error,
      bodyProblem: rules.bodyProblem,
      onWait: rules.onWait,
    }
  }

  /** Sends one request (rate limited, retried) and returns the parsed JSON object of a success. */
  request(request: AppApiRequest): Promise<JsonObject> {
    const query = request.query === undefined ? '' : `?${new URLSearchParams(request.query)}`
    const sent: JsonApiRequest = {
      method: request.method,
      url: `${this.base}${request.path}${query}`,
      label: request.label,
      headers: { authorization: this.#authorization },
      body: request.body,
      units: request.units,
    }
    return requestJson(this.#context, sent)
  }

  /** Closes the transport if this connection created it. */
  async close(): Promise<void> {
    if (this.#ownsTransport) await this.#context.transport.close()
  }
}
