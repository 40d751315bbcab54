import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'
import { MixpanelError, ValidationError } from '../../errors/index.js'
import {
  basicAuth,
  boolOption,
  checkOptions,
  checkServiceAccount,
  intOption,
  LIB_VERSION,
  optionList,
  Redactor,
  type Region,
  type RetryPolicy,
  resolveOrigin,
  type ServiceAccount,
  urlOption,
} from '../../internal/index.js'
import type { Endpoint, Message } from '../../message/index.js'
import type { HttpRequest, HttpResponse } from '../../transport/index.js'
import {
  type BatchOutcome,
  classifyStatus,
  type Destination,
  type RequestFraming,
  rejectedOutcome,
  statusOutcome,
  uniformOutcome,
} from '../destination.js'
import { errorText, importPartial, suffix } from './mixpanel-answers.js'

const gzip = promisify(gzipCallback)

/** Options of {@link MixpanelDestination}. */
export interface MixpanelDestinationOptions {
  /**
   * Ingestion host: a bare host (`api-eu.mixpanel.com`, https implied) or a full origin with scheme
   * and port (`http://127.0.0.1:4000`) for local receivers. Wins over `region`.
   * @default the region's host (`api.mixpanel.com` for `us`)
   */
  apiHost?: string
  /** Data-residency region: `us` → api.mixpanel.com, `eu` → api-eu…, `in` → api-in…. @default 'us' */
  region?: Region
  /** Full URL overriding the `/track` endpoint. */
  eventsUrl?: string
  /** Full URL overriding the `/engage` endpoint. */
  peopleUrl?: string
  /** Full URL overriding the `/groups` endpoint. */
  groupsUrl?: string
  /** Full URL overriding the `/import` endpoint. */
  importUrl?: string
  /**
   * Credentials for `/import`. Without them, the project token (from each message) is sent as the
   * Basic-auth user name with an empty password.
   */
  serviceAccount?: ServiceAccount
  /**
   * Compress `/import` bodies of at least `gzipThresholdBytes` with gzip (asynchronously, off the
   * event loop's critical path). `/track`, `/engage` and `/groups` are sent uncompressed because
   * Mixpanel does not document gzip for them.
   * @default true
   */
  gzip?: boolean
  /** Smallest body compressed, in bytes. @default 1024 */
  gzipThresholdBytes?: number
  /**
   * Messages per request, at most 2000 (Mixpanel's limit per request).
   * @default 2000
   */
  maxBatchSize?: number
}

/** The names of {@link MixpanelDestinationOptions}. */
export const MIXPANEL_DESTINATION_OPTIONS = optionList<MixpanelDestinationOptions>()({
  apiHost: true,
  region: true,
  eventsUrl: true,
  peopleUrl: true,
  groupsUrl: true,
  importUrl: true,
  serviceAccount: true,
  gzip: true,
  gzipThresholdBytes: true,
  maxBatchSize: true,
})

const PATHS: Readonly<Record<Endpoint, string>> = {
  events: '/track',
  people: '/engage',
  groups: '/groups',
  imports: '/import',
}

/** A JSON array of messages: `[` + `]` + one comma fewer than messages. */
export const JSON_ARRAY_FRAMING: RequestFraming = { fixed: 1, perMessage: 1 }

/** Mixpanel's limit of records per request. */
export const MIXPANEL_MAX_BATCH = 2000
/** Request body cap used for batching: Mixpanel answers 413 above 2 MiB. */
export const MIXPANEL_MAX_REQUEST_BYTES = 2 * 1024 * 1024 - 64 * 1024

/** Defaults of {@link MixpanelDestinationOptions}. */
export const MIXPANEL_DESTINATION_DEFAULTS = {
  region: 'us' as Region,
  gzip: true,
  gzipThresholdBytes: 1024,
  maxBatchSize: MIXPANEL_MAX_BATCH,
} as const

/**
 * Mixpanel's ingestion API: `/track`, `/engage`, `/groups` (JSON arrays, `verbose=1`, `ip=0`) and
 * `/import` (`strict=1`, Basic auth, gzip). Classifies responses per message, including
 * `/import`'s per-record `failed_records`.
 */
export class MixpanelDestination implements Destination {
  readonly name = 'mixpanel'
  readonly maxRequestBytes = MIXPANEL_MAX_REQUEST_BYTES
  readonly #urls: Readonly<Record<Endpoint, string>>
  readonly #serviceAuth: string | undefined
  readonly #gzip: boolean
  readonly #gzipThreshold: number
  readonly #maxBatch: number
  /** Takes the service account's secret out of server answers quoted in errors. */
  readonly #redactor: Redactor

  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(options: MixpanelDestinationOptions = {}) {
    checkOptions(options, MIXPANEL_DESTINATION_OPTIONS, 'MixpanelDestination')
    const origin = resolveOrigin(options.apiHost, options.region ?? MIXPANEL_DESTINATION_DEFAULTS.region)
    const account = options.serviceAccount
    let projectQuery = ''
    if (account !== undefined) {
      checkServiceAccount(account)
      this.#serviceAuth = basicAuth(account.username, account.secret)
      projectQuery = `&project_id=${encodeURIComponent(String(account.projectId))}`
    }
    this.#redactor = new Redactor(
      account === undefined ? [] : [{ user: account.username, secret: account.secret }],
    )
    this.#urls = {
      events: withQuery(urlOption('eventsUrl', options.eventsUrl) ?? origin + PATHS.events, 'ip=0&verbose=1'),
      people: withQuery(urlOption('peopleUrl', options.peopleUrl) ?? origin + PATHS.people, 'ip=0&verbose=1'),
      groups: withQuery(urlOption('groupsUrl', options.groupsUrl) ?? origin + PATHS.groups, 'ip=0&verbose=1'),
      imports: withQuery(
        urlOption('importUrl', options.importUrl) ?? origin + PATHS.imports,
        `strict=1${projectQuery}`,
      ),
    }
    this.#gzip = boolOption('gzip', options.gzip, MIXPANEL_DESTINATION_DEFAULTS.gzip)
    this.#gzipThreshold = intOption(
      'gzipThresholdBytes',
      options.gzipThresholdBytes,
      MIXPANEL_DESTINATION_DEFAULTS.gzipThresholdBytes,
      0,
    )
    this.#maxBatch = intOption(
      'maxBatchSize',
      options.maxBatchSize,
      MIXPANEL_DESTINATION_DEFAULTS.maxBatchSize,
      1,
      MIXPANEL_MAX_BATCH,
    )
  }

  /** The URL (with query) requests of `kind` go to. */
  url(kind: Endpoint): string {
    return this.#urls[kind]
  }

  maxBatchSize(_kind: Endpoint): number {
    return this.#maxBatch
  }

  /** A JSON array: `[`, `]` and a comma between messages. */
  framing(_kind: Endpoint): RequestFraming {
    return JSON_ARRAY_FRAMING
  }

  async encode(kind: Endpoint, messages: readonly Message[]): Promise<HttpRequest> {
    let body = jsonArray(messages)
    const bodyBytes = body.length
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': `eventwire/${LIB_VERSION}`,
    }
    if (kind === 'imports') {
      headers.authorization = this.#serviceAuth ?? basicAuth(tokenOf(messages), '')
      if (this.#gzip && bodyBytes >= this.#gzipThreshold) {
        body = await gzip(body)
        headers['content-encoding'] = 'gzip'
      }
    }
    return { url: this.#urls[kind], method: 'POST', headers, body, bodyBytes }
  }

  classify(
    kind: Endpoint,
    messages: readonly Message[],
    response: HttpResponse,
    policy: RetryPolicy,
    now: number,
  ): BatchOutcome {
    const { status } = response
    const verdict = classifyStatus(status, messages.length, policy)
    if (verdict === 'success') return this.#classifySuccess(kind, messages, response)
    if (verdict === 'reject' && kind === 'imports' && status === 400) {
      const partial = importPartial(messages, response.body, this.#redactor)
      if (partial !== undefined) return partial
    }
    return statusOutcome(verdict, messages, response, now, () => {
      // A server or proxy may echo the request's Authorization header: the text is redacted before use.
      const serverText = this.#redacted(errorText(response.body))
      const what = verdict === 'too_large' ? ': message too large' : ''
      return new MixpanelError(
        'EVENTWIRE_HTTP_ERROR',
        `Mixpanel ${PATHS[kind]} answered ${status}${what}${suffix(serverText)}`,
        { endpoint: kind, status, retryable: verdict === 'retry' },
      )
    })
  }

  /**
   * A 2xx answer: `1` or `{"status":1}` (verbose) is a delivery; `{"status":0,...}` is Mixpanel
   * refusing the batch; anything else (an HTML page from a proxy, a cut body) proves nothing was
   * ingested, so the batch is retried. `/import` answers JSON; a body that is not JSON is retried
   * the same way.
   */
  #classifySuccess(kind: Endpoint, messages: readonly Message[], response: HttpResponse): BatchOutcome {
    const status = response.status
    const text = response.body.trim()
    if (kind !== 'imports' && text === '1') return uniformOutcome(messages, 'delivered', { status })
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (typeof parsed !== 'object' || parsed === null) {
      return uniformOutcome(messages, 'retry', {
        status,
        retryError: new MixpanelError(
          'EVENTWIRE_API_ERROR',
          `Mixpanel ${PATHS[kind]} answered ${status} with an unreadable body${suffix(this.#redacted(text.slice(0, 120)))}`,
          { endpoint: kind, status, retryable: true },
        ),
      })
    }
    if (kind === 'imports' || (parsed as { status?: unknown }).status === 1) {
      return uniformOutcome(messages, 'delivered', { status })
    }
    const reason = `status ${JSON.stringify((parsed as { status?: unknown }).status)}${suffix(this.#redacted(errorText(text)))}`
    return rejectedOutcome(
      messages,
      new MixpanelError('EVENTWIRE_API_ERROR', `Mixpanel ${PATHS[kind]} reported a failure: ${reason}`, {
        endpoint: kind,
        status,
      }),
      'rejected',
      status,
    )
  }

  #redacted(text: string | undefined): string | undefined {
    return text === undefined ? undefined : this.#redactor.text(text)
  }
}

/**
 * The UTF-8 JSON array of the messages' JSON, written straight into one buffer: no joined string
 * is built on the heap and re-encoded by the transport. Each message's `bytes`, always the size of
 * its `json`, sizes the buffer exactly.
 */
export function jsonArray(messages: readonly Message[]): Buffer {
  const count = messages.length
  // Brackets and commas.
  let size = count === 0 ? 2 : count + 1
  for (let i = 0; i < count; i++) size += messages[i]!.bytes
  const out = Buffer.allocUnsafe(size)
  out[0] = 0x5b // [
  let at = 1
  for (let i = 0; i < count; i++) {
    if (i > 0) out[at++] = 0x2c // ,
    at += out.write(messages[i]!.json, at)
  }
  out[at] = 0x5d // ]
  return out
}

function withQuery(url: string, query: string): string {
  return url + (url.includes('?') ? '&' : '?') + query
}

function tokenOf(messages: readonly Message[]): string {
  const properties = messages[0]?.body.properties
  const token =
    typeof properties === 'object' && properties !== null && !Array.isArray(properties)
      ? properties.token
      : undefined
  if (typeof token !== 'string' || token === '') {
    throw new ValidationError(
      'EVENTWIRE_INVALID_ARGUMENT',
      '/import needs a project token in properties.token or a serviceAccount',
    )
  }
  return token
}
