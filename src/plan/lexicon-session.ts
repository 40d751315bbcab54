import { ConfigError, LexiconError } from '../errors/index.js'
import {
  APP_HOSTS,
  basicAuth,
  type Clock,
  checkOptions,
  describe,
  enumOption,
  intOption,
  type Logger,
  optionList,
  RETRY_OPTIONS,
  Redactor,
  type Region,
  RetryPolicy,
  resolveLogger,
  resolveOrigin,
  systemClock,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { HttpTransport, type JsonApiContext, requestJson } from '../transport/index.js'
import type { LexiconOptions, LexiconServiceAccount } from './lexicon-client.js'

/** The names of {@link LexiconServiceAccount}'s fields. */
const LEXICON_ACCOUNT_FIELDS = optionList<LexiconServiceAccount>()({ username: true, secret: true })

import { RateWindow } from './rate-window.js'

/** Defaults of the Lexicon options (Mixpanel's documented limits). */
export const LEXICON_DEFAULTS = {
  region: 'us',
  requestsPerMinute: 5,
  updatesPerMinute: 3999,
  retryLimit: 3,
} as const

/**
 * One conversation with the Lexicon Schemas API of a project: validated options, Basic auth,
 * rate limiting, retries. Never puts the secret into messages or logs.
 */
export class Session {
  readonly updatesPerMinute: number
  requests = 0
  waitedMs = 0
  readonly #base: string
  readonly #auth: string
  readonly #transport: HttpTransport
  readonly #ownsTransport: boolean
  readonly #clock: Clock
  readonly #window: RateWindow
  readonly #retry: RetryPolicy
  readonly #logger: Logger
  readonly #api: JsonApiContext

  constructor(options: Partial<LexiconOptions>) {
    const id = options.projectId
    if (
      !(typeof id === 'number' ? Number.isInteger(id) && id > 0 : typeof id === 'string' && /^\d+$/.test(id))
    ) {
      throw new ConfigError('projectId', `expected a numeric Mixpanel project id, got ${describe(id)}`)
    }
    const account = options.serviceAccount
    if (
      !account ||
      typeof account.username !== 'string' ||
      account.username === '' ||
      typeof account.secret !== 'string' ||
      account.secret === ''
    ) {
      throw new ConfigError('serviceAccount', 'expected { username, secret } of a Mixpanel service account')
    }
    checkOptions(account, LEXICON_ACCOUNT_FIELDS, 'serviceAccount')
    if (options.retry !== undefined) checkOptions(options.retry, RETRY_OPTIONS, 'retry')
    const region = enumOption<Region>('region', options.region, ['us', 'eu', 'in'], LEXICON_DEFAULTS.region)
    const origin =
      options.apiHost === undefined ? APP_HOSTS[region] : resolveOrigin(options.apiHost, undefined, 'apiHost')
    this.#base = `${origin}/api/app/projects/${id}`
    this.#auth = basicAuth(account.username, account.secret)
    const requestsPerMinute = intOption(
      'requestsPerMinute',
      options.requestsPerMinute,
      LEXICON_DEFAULTS.requestsPerMinute,
      1,
      1000,
    )
    this.updatesPerMinute = intOption(
      'updatesPerMinute',
      options.updatesPerMinute,
      LEXICON_DEFAULTS.updatesPerMinute,
      1,
    )
    this.#clock = options.clock ?? systemClock
    this.#window = new RateWindow(this.#clock, requestsPerMinute, this.updatesPerMinute)
    this.#retry = new RetryPolicy(
      { retryLimit: LEXICON_DEFAULTS.retryLimit, ...options.retry },
      options.random,
    )
    this.#ownsTransport = options.transport === undefined
    this.#transport = options.transport ?? new HttpTransport()
    const redactor = new Redactor([{ user: account.username, secret: account.secret }])
    this.#logger = resolveLogger(options.logger, redactor)
    const username = account.username
    this.#api = {
      api: 'Lexicon',
      redactor,
      transport: this.#transport,
      policy: this.#retry,
      clock: this.#clock,
      logger: this.#logger,
      throttle: async (request) => {
        this.waitedMs += await this.#window.acquire(request.units ?? 1)
        this.requests++
      },
      explain: (status, detail) =>
        status === 401 || status === 403
          ? ` (service account ${JSON.stringify(username)} was refused; it needs the admin or owner role)${detail}`
          : detail,
      error: (message, details) => new LexiconError(message, details),
      onWait: (ms) => {
        this.waitedMs += ms
      },
      bodyProblem: (body) =>
        body.status === undefined || body.status === 'ok'
          ? undefined
          : `the answer reports status ${JSON.stringify(body.status)}`,
    }
  }

  /** Sends one request (rate limited, retried) and returns the parsed JSON body of a success. */
  request(
    method: 'GET' | 'POST',
    path: string,
    body: JsonObject | undefined,
    units: number,
  ): Promise<JsonObject> {
    const label = `${method} ${path}`
    return requestJson(this.#api, {
      method,
      url: `${this.#base}${path}`,
      label,
      headers: { authorization: this.#auth },
      body,
      units,
    })
  }

  async close(): Promise<void> {
    if (this.#ownsTransport) await this.#transport.close()
  }
}
