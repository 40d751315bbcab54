import { promisify } from 'node:util'
import { gzip as gzipCallback } from 'node:zlib'
import { ConfigError, DeliveryError } from '../../errors/index.js'
import {
  boolOption,
  checkOptions,
  enumOption,
  intOption,
  LIB_VERSION,
  optionList,
  type RetryPolicy,
  stringOption,
  urlOption,
} from '../../internal/index.js'
import { ENDPOINTS, type Endpoint, type Message } from '../../message/index.js'
import type { HttpRequest, HttpResponse } from '../../transport/index.js'
import {
  type BatchOutcome,
  classifyStatus,
  type Destination,
  type RequestFraming,
  statusOutcome,
} from '../destination.js'

const gzip = promisify(gzipCallback)

/** Options of {@link HttpDestination}. */
export interface HttpDestinationOptions {
  /**
   * Where batches are POSTed: one URL for every kind of message (the kind is in the
   * `x-eventwire-kind` header), or one URL per kind (kinds without one are refused).
   */
  url: string | Partial<Record<Endpoint, string>>
  /** Headers added to every request, e.g. `authorization`. Never logged or reported. */
  headers?: Readonly<Record<string, string>>
  /**
   * The body: `'json'`, a JSON array of the messages' bodies; `'ndjson'`, one body per line.
   * @default 'json'
   */
  format?: 'json' | 'ndjson'
  /** Messages per request, at most. @default 500 */
  maxBatchSize?: number
  /** Body bytes per request (before compression), at most. @default 1048576 */
  maxRequestBytes?: number
  /** Compress bodies with gzip (`content-encoding: gzip`). @default false */
  gzip?: boolean
  /** The destination's name in stats, notifications and metrics. @default 'http' */
  name?: string
}

/** Defaults of {@link HttpDestinationOptions}. */
export const HTTP_DESTINATION_DEFAULTS = {
  format: 'json',
  maxBatchSize: 500,
  maxRequestBytes: 1024 * 1024,
  gzip: false,
  name: 'http',
} as const

/** The names of {@link HttpDestinationOptions}. */
export const HTTP_DESTINATION_OPTIONS = optionList<HttpDestinationOptions>()({
  url: true,
  headers: true,
  format: true,
  maxBatchSize: true,
  maxRequestBytes: true,
  gzip: true,
  name: true,
})

const FRAMING: Readonly<Record<'json' | 'ndjson', RequestFraming>> = {
  // `[`, `]` and a comma between messages.
  json: { fixed: 1, perMessage: 1 },
  // A newline after each message.
  ndjson: { fixed: 0, perMessage: 1 },
}

/**
 * Any HTTP endpoint that takes JSON (a webhook, your own ingestion service, a queue's HTTP API):
 * batches of messages are POSTed as a JSON array or NDJSON of their bodies, in Mixpanel's shape.
 * A 2xx delivers the whole batch; 413 halves it; 408, 425, 429 (with `Retry-After`) and 5xx are
 * retried; other statuses refuse it (`customRetryCodes` overrides both).
 */
export class HttpDestination implements Destination {
  readonly name: string
  readonly maxRequestBytes: number
  readonly #urls: Partial<Record<Endpoint, string>>
  readonly #headers: Readonly<Record<string, string>>
  readonly #format: 'json' | 'ndjson'
  readonly #maxBatch: number
  readonly #gzip: boolean

  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(options: HttpDestinationOptions) {
    checkOptions(options, HTTP_DESTINATION_OPTIONS, 'HttpDestination', { required: true })
    const d = HTTP_DESTINATION_DEFAULTS
    this.#urls = resolveUrls(options.url)
    this.#headers = resolveHeaders(options.headers)
    this.#format = enumOption('format', options.format, ['json', 'ndjson'] as const, d.format)
    this.#maxBatch = intOption('maxBatchSize', options.maxBatchSize, d.maxBatchSize, 1, 100_000)
    this.maxRequestBytes = intOption('maxRequestBytes', options.maxRequestBytes, d.maxRequestBytes, 64)
    this.#gzip = boolOption('gzip', options.gzip, d.gzip)
    this.name = stringOption('name', options.name, d.name)
  }

  maxBatchSize(_kind: Endpoint): number {
    return this.#maxBatch
  }

  framing(_kind: Endpoint): RequestFraming {
    return FRAMING[this.#format]
  }

  async encode(kind: Endpoint, messages: readonly Message[]): Promise<HttpRequest> {
    const url = this.#urls[kind]
    if (url === undefined) {
      throw new DeliveryError('EVENTWIRE_UNKNOWN_ENDPOINT', `no url is set for ${kind} messages`, {
        endpoint: kind,
      })
    }
    const text =
      this.#format === 'json'
        ? `[${messages.map((m) => m.json).join(',')}]`
        : `${messages.map((m) => m.json).join('\n')}\n`
    const headers: Record<string, string> = {
      'content-type': this.#format === 'json' ? 'application/json' : 'application/x-ndjson',
      'user-agent': `eventwire/${LIB_VERSION}`,
      'x-eventwire-kind': kind,
      ...this.#headers,
    }
    const bodyBytes = Buffer.byteLength(text)
    if (!this.#gzip) return { url, method: 'POST', headers, body: text, bodyBytes }
    headers['content-encoding'] = 'gzip'
    return { url, method: 'POST', headers, body: await gzip(text), bodyBytes }
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
    return statusOutcome(verdict, messages, response, now, () => {
      const detail = response.body.trim().slice(0, 200)
      return new DeliveryError(
        'EVENTWIRE_HTTP_ERROR',
        `${this.name} answered ${status}${detail === '' ? '' : `: ${detail}`}`,
        { endpoint: kind, status, retryable: verdict === 'retry' },
      )
    })
  }
}

/** Creates an {@link HttpDestination}: `http({ url: 'https://hooks.example.com/events' })`. */
export function http(options: HttpDestinationOptions): HttpDestination {
  checkOptions(options, HTTP_DESTINATION_OPTIONS, 'http()', { required: true })
  return new HttpDestination(options)
}

function resolveUrls(url: unknown): Partial<Record<Endpoint, string>> {
  if (typeof url === 'string') {
    const one = urlOption('url', url)!
    return Object.fromEntries(ENDPOINTS.map((kind) => [kind, one]))
  }
  if (typeof url !== 'object' || url === null || Array.isArray(url)) {
    throw new ConfigError('url', 'expected a URL, or an object mapping events/people/groups/imports to URLs')
  }
  const urls: Partial<Record<Endpoint, string>> = {}
  for (const [kind, value] of Object.entries(url)) {
    if (!(ENDPOINTS as readonly string[]).includes(kind)) {
      throw new ConfigError(`url.${kind}`, 'expected one of events, people, groups, imports')
    }
    urls[kind as Endpoint] = urlOption(`url.${kind}`, value)!
  }
  if (Object.keys(urls).length === 0) throw new ConfigError('url', 'expected at least one URL')
  return urls
}

function resolveHeaders(headers: unknown): Readonly<Record<string, string>> {
  if (headers === undefined) return {}
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ConfigError('headers', 'expected an object of header names to string values')
  }
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new ConfigError(`headers.${name}`, 'expected a string')
  }
  return { ...(headers as Record<string, string>) }
}
