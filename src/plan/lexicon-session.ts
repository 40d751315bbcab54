import { ConfigError, isEventwireError } from '../errors/index.js'
import {
  APP_HOSTS,
  basicAuth,
  type Clock,
  describe,
  enumOption,
  intOption,
  type JsonObject,
  type Logger,
  parseRetryAfter,
  type Region,
  RetryPolicy,
  resolveOrigin,
  silentLogger,
  systemClock,
} from '../internal/index.js'
import { type HttpResponse, HttpTransport } from '../transport/index.js'
import { LexiconError } from './errors.js'
import type { LexiconOptions } from './lexicon-client.js'
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
  readonly #username: string
  readonly #transport: HttpTransport
  readonly #ownsTransport: boolean
  readonly #clock: Clock
  readonly #window: RateWindow
  readonly #retry: RetryPolicy
  readonly #logger: Logger

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
    const region = enumOption<Region>('region', options.region, ['us', 'eu', 'in'], LEXICON_DEFAULTS.region)
    const origin =
      options.apiHost === undefined ? APP_HOSTS[region] : resolveOrigin(options.apiHost, undefined, 'apiHost')
    this.#base = `${origin}/api/app/projects/${id}`
    this.#username = account.username
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
    this.#logger = options.logger ?? silentLogger
  }

  /** Sends one request (rate limited, retried) and returns the parsed JSON body of a success. */
  async request(
    method: 'GET' | 'POST',
    path: string,
    body: JsonObject | undefined,
    units: number,
  ): Promise<JsonObject> {
    const url = `${this.#base}${path}`
    const text = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string> = { authorization: this.#auth, accept: 'application/json' }
    if (text !== undefined) headers['content-type'] = 'application/json'
    for (let attempt = 0; ; attempt++) {
      this.waitedMs += await this.#window.acquire(units)
      this.requests++
      let res: HttpResponse
      try {
        res = await this.#transport.send({
          url,
          method,
          headers,
          body: text,
          bodyBytes: text === undefined ? 0 : Buffer.byteLength(text),
        })
      } catch (error) {
        if (!(isEventwireError(error) && error.retryable) || attempt >= this.#retry.retryLimit) throw error
        await this.#backoff(attempt + 1, undefined, `${method} ${path}: ${(error as Error).message}`)
        continue
      }
      if (res.status >= 200 && res.status < 300) return parseBody(res, method, path)
      if (this.#retry.isRetryableStatus(res.status) && attempt < this.#retry.retryLimit) {
        await this.#backoff(
          attempt + 1,
          parseRetryAfter(res.headers['retry-after'], this.#clock.now()),
          `${method} ${path}: HTTP ${res.status}`,
        )
        continue
      }
      throw this.#failure(res, method, path)
    }
  }

  async #backoff(retry: number, retryAfterMs: number | undefined, reason: string): Promise<void> {
    const ms = this.#retry.delayMs(retry, retryAfterMs)
    this.#logger.warn({ retry, delayMs: ms }, `Lexicon request will be retried: ${reason}`)
    await this.#clock.sleep(ms)
    this.waitedMs += ms
  }

  #failure(res: HttpResponse, method: string, path: string): LexiconError {
    let detail = ''
    try {
      const parsed = JSON.parse(res.body) as { error?: unknown }
      if (typeof parsed.error === 'string') detail = `: ${parsed.error.slice(0, 500)}`
    } catch {
      detail = res.body.trim() === '' ? '' : `: ${res.body.trim().slice(0, 200)}`
    }
    const auth =
      res.status === 401 || res.status === 403
        ? ` (service account ${JSON.stringify(this.#username)} was refused; it needs the admin or owner role)`
        : ''
    return new LexiconError(`${method} ${path} failed with HTTP ${res.status}${auth}${detail}`, {
      status: res.status,
      retryable: this.#retry.isRetryableStatus(res.status),
    })
  }

  async close(): Promise<void> {
    if (this.#ownsTransport) await this.#transport.close()
  }
}

function parseBody(res: HttpResponse, method: string, path: string): JsonObject {
  let parsed: unknown
  try {
    parsed = JSON.parse(res.body)
  } catch (error) {
    throw new LexiconError(`${method} ${path}: the answer is not JSON`, { status: res.status, cause: error })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LexiconError(`${method} ${path}: the answer is not a JSON object`, { status: res.status })
  }
  const status = (parsed as JsonObject).status
  if (status !== undefined && status !== 'ok') {
    throw new LexiconError(`${method} ${path}: the answer reports status ${JSON.stringify(status)}`, {
      status: res.status,
    })
  }
  return parsed as JsonObject
}
