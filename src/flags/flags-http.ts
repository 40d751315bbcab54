import { randomBytes } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { ConfigError } from '../errors/index.js'
import {
  basicAuth,
  type Clock,
  checkServiceAccount,
  LIB_VERSION,
  optionList,
  Redactor,
  type Region,
  resolveOrigin,
  type ServiceAccount,
  stringOption,
} from '../internal/index.js'
import { HttpTransport, TRANSPORT_DEFAULTS } from '../transport/index.js'

/** Where and how flags providers reach Mixpanel's flags API. */
export interface FlagsConnectionOptions {
  /** The project token: sent as `token` and, without a service account, as the Basic-auth user. */
  token: string
  /**
   * API host: a bare host (`api-eu.mixpanel.com`, https implied) or a full origin such as
   * `http://127.0.0.1:4000` (a local collector). Wins over `region`.
   * @default the region's host (`api.mixpanel.com` for `us`)
   */
  apiHost?: string
  /** Data-residency region: `us`, `eu` or `in`. @default 'us' */
  region?: Region
  /**
   * Authenticate with a service account (Basic `username:secret`, plus `project_id` in the query)
   * instead of the project token.
   */
  serviceAccount?: ServiceAccount
  /** Deadline of one request, in milliseconds. @default 10000 */
  requestTimeoutMs?: number
  /** Deadline for connecting (TCP + TLS), in milliseconds. @default 10000 */
  connectTimeoutMs?: number
  /** Verify the server's TLS certificate. @default true */
  verifyCert?: boolean
  /** An undici dispatcher (Agent, Pool, ProxyAgent) to share; eventwire never closes it. */
  dispatcher?: Dispatcher
}

/** Defaults of {@link FlagsConnectionOptions}. */
export const FLAGS_CONNECTION_DEFAULTS = { region: 'us' as Region, ...TRANSPORT_DEFAULTS } as const

/** The names of {@link FlagsConnectionOptions}. */
export const FLAGS_CONNECTION_OPTIONS = optionList<FlagsConnectionOptions>()({
  token: true,
  apiHost: true,
  region: true,
  serviceAccount: true,
  requestTimeoutMs: true,
  connectTimeoutMs: true,
  verifyCert: true,
  dispatcher: true,
})

/**
 * Builds flags API requests (query parameters, authentication, trace header) and owns the
 * transport they go through.
 */
export class FlagsHttp {
  readonly transport: HttpTransport
  readonly #origin: string
  readonly #query: string
  readonly #authorization: string
  /** Takes the credentials out of server answers quoted in messages. */
  readonly redactor: Redactor

  constructor(options: FlagsConnectionOptions, clock: Clock) {
    const token = stringOption('token', options.token, undefined)
    if (token === undefined) throw new ConfigError('token', 'a project token is required')
    this.#origin = resolveOrigin(options.apiHost, options.region ?? FLAGS_CONNECTION_DEFAULTS.region)
    const params = new URLSearchParams({ token, mp_lib: 'eventwire', $lib_version: LIB_VERSION })
    const account = options.serviceAccount
    if (account !== undefined) {
      checkServiceAccount(account)
      params.set('project_id', String(account.projectId))
      this.#authorization = basicAuth(account.username, account.secret)
    } else {
      this.#authorization = basicAuth(token, '')
    }
    this.redactor = new Redactor(
      account === undefined ? [] : [{ user: account.username, secret: account.secret }],
    )
    this.#query = params.toString()
    this.transport = new HttpTransport({
      requestTimeoutMs: options.requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      verifyCert: options.verifyCert,
      dispatcher: options.dispatcher,
      clock,
    })
  }

  /** The URL of `path` with the common query parameters and `extra` ones. */
  url(path: string, extra?: Record<string, string>): string {
    const more = extra === undefined ? '' : `&${new URLSearchParams(extra).toString()}`
    return `${this.#origin}${path}?${this.#query}${more}`
  }

  /** Request headers: authentication, JSON and a fresh W3C `traceparent`. */
  headers(extra?: Record<string, string>): Record<string, string> {
    return {
      authorization: this.#authorization,
      accept: 'application/json',
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      ...extra,
    }
  }

  /**
   * `HTTP <status>: <body>`, the body shortened and redacted (a server may echo the
   * `Authorization` header); never the URL (it holds the token and the context).
   */
  describeFailure(status: number, body: string): string {
    const text = body.length > 500 ? `${body.slice(0, 500)}…` : body
    return this.redactor.text(`HTTP ${status}: ${text}`)
  }

  /** Closes the connection pool (when it is eventwire's own). */
  close(): Promise<void> {
    return this.transport.close()
  }
}
