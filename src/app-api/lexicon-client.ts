import { ConfigError, LexiconError } from '../errors/index.js'
import {
  basicAuth,
  checkServiceAccount,
  describe,
  intOption,
  optionList,
  systemClock,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import { APP_API_CONNECTION_OPTIONS, AppApiConnection, type AppApiConnectionOptions } from './connection.js'
import { RateWindow } from './rate-window.js'

/** A Mixpanel service account (`username:secret`). The secret is never logged or printed. */
export interface LexiconServiceAccount {
  username: string
  secret: string
}

/** One entry of the Lexicon Schemas API (`POST /projects/{id}/schemas` body `entries`). */
export type LexiconEntry = {
  readonly entityType: 'event' | 'profile' | (string & {})
  readonly name: string
  readonly schemaJson: JsonObject
}

/** Options of the Lexicon Schemas API clients (`pushPlan`, `pullPlan`, `deprecateEvents`). */
export interface LexiconOptions extends AppApiConnectionOptions {
  /** Mixpanel project id. */
  projectId: number | string
  serviceAccount: LexiconServiceAccount
  /** Requests allowed per minute. @default 5 */
  requestsPerMinute?: number
  /** Events plus properties updated per minute (Lexicon allows fewer than 4000). @default 3999 */
  updatesPerMinute?: number
  /** Retries of 429, 5xx and network failures. @default { retryLimit: 3 } */
  retry?: AppApiConnectionOptions['retry']
}

/** The names of {@link LexiconOptions}. */
export const LEXICON_OPTIONS = optionList<LexiconOptions>()({
  ...APP_API_CONNECTION_OPTIONS,
  projectId: true,
  serviceAccount: true,
  requestsPerMinute: true,
  updatesPerMinute: true,
})

/** Defaults of the Lexicon options (Mixpanel's documented limits). */
export const LEXICON_DEFAULTS = {
  region: 'us',
  requestsPerMinute: 5,
  updatesPerMinute: 3999,
  retryLimit: 3,
} as const

/** What {@link LexiconClient.writeSchemas} reports. */
export interface LexiconWriteResult {
  /** Schemas added or replaced, as reported by Mixpanel. */
  readonly added: number
  readonly deleted: number
}

/**
 * A client of the Lexicon Schemas API of one project (`/api/app/projects/{id}/schemas`): Basic
 * auth with a service account, requests spaced by a one-minute window (5 requests, 3999 updated
 * events and properties by default), 429, 5xx and network failures retried with backoff,
 * honouring `Retry-After`. Never puts the secret into messages or logs.
 */
export class LexiconClient {
  readonly updatesPerMinute: number
  /** Requests sent, retries included. */
  requests = 0
  /** Milliseconds spent waiting for the rate limit and backoff. */
  waitedMs = 0
  readonly #connection: AppApiConnection

  /** @throws {ConfigError} naming the option. */
  constructor(options: Partial<LexiconOptions>) {
    const id = options.projectId
    if (
      !(typeof id === 'number' ? Number.isInteger(id) && id > 0 : typeof id === 'string' && /^\d+$/.test(id))
    ) {
      throw new ConfigError('projectId', `expected a numeric Mixpanel project id, got ${describe(id)}`)
    }
    const account = options.serviceAccount
    checkServiceAccount(account, false)
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
    const window = new RateWindow(options.clock ?? systemClock, requestsPerMinute, this.updatesPerMinute)
    const username = account.username
    this.#connection = new AppApiConnection(options, {
      api: 'Lexicon',
      owner: 'Lexicon',
      path: `/projects/${id}/schemas`,
      authorization: basicAuth(account.username, account.secret),
      secrets: [{ user: account.username, secret: account.secret }],
      retry: { retryLimit: LEXICON_DEFAULTS.retryLimit },
      throttle: async (request) => {
        this.waitedMs += await window.acquire(request.units ?? 1)
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
    })
  }

  /**
   * Reads every schema of the project (`GET /schemas`); entries without a name or entity type
   * are left out. @throws {LexiconError}
   */
  async readSchemas(): Promise<LexiconEntry[]> {
    const body = await this.#connection.request({ method: 'GET', path: '', label: 'GET /schemas' })
    if (!Array.isArray(body.results)) throw new LexiconError('GET schemas: the answer has no "results" list')
    return body.results.filter(
      (e): e is JsonObject & LexiconEntry =>
        e !== null &&
        typeof e === 'object' &&
        !Array.isArray(e) &&
        typeof e.name === 'string' &&
        typeof e.entityType === 'string',
    )
  }

  /**
   * Creates or replaces schemas (`POST /schemas`, never with `truncate`), in as few requests as
   * the per-minute update budget allows. @throws {LexiconError} on the first refused request
   * (chunks sent before it stand).
   */
  async writeSchemas(entries: readonly LexiconEntry[]): Promise<LexiconWriteResult> {
    let added = 0
    let deleted = 0
    for (const chunk of chunks(entries, this.updatesPerMinute)) {
      const body = await this.#connection.request({
        method: 'POST',
        path: '',
        label: 'POST /schemas',
        body: { entries: chunk },
        units: cost(chunk),
      })
      const results = (body.results ?? {}) as JsonObject
      added += typeof results.added === 'number' ? results.added : 0
      deleted += typeof results.deleted === 'number' ? results.deleted : 0
    }
    return { added, deleted }
  }

  /** Closes the transport if this client created it. */
  close(): Promise<void> {
    return this.#connection.close()
  }
}

/** Events and properties the entries update, as Lexicon counts them. */
function cost(entries: readonly LexiconEntry[]): number {
  return entries.reduce((sum, e) => {
    const properties = e.schemaJson.properties
    const n =
      properties && typeof properties === 'object' && !Array.isArray(properties)
        ? Object.keys(properties).length
        : 0
    return sum + 1 + n
  }, 0)
}

function chunks(entries: readonly LexiconEntry[], budget: number): LexiconEntry[][] {
  const out: LexiconEntry[][] = []
  let current: LexiconEntry[] = []
  let used = 0
  for (const entry of entries) {
    const c = cost([entry])
    if (current.length > 0 && used + c > budget) {
      out.push(current)
      current = []
      used = 0
    }
    current.push(entry)
    used += c
  }
  if (current.length > 0) out.push(current)
  return out
}
