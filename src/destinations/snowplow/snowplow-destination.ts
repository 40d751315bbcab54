import { ConfigError, DeliveryError } from '../../errors/index.js'
import {
  type Clock,
  checkOptions,
  enumOption,
  intOption,
  optionList,
  type RetryPolicy,
  redactPatterns,
  systemClock,
} from '../../internal/index.js'
import type { Endpoint, Message } from '../../message/index.js'
import type { HttpRequest, HttpResponse } from '../../transport/index.js'
import {
  type BatchOutcome,
  classifyStatus,
  type Destination,
  type RequestFraming,
  statusOutcome,
} from '../destination.js'
import { SCHEMAS } from './payload.js'

/** Options of {@link snowplow}. */
export interface SnowplowDestinationOptions {
  /**
   * The collector: a host (`collector.example.com`), optionally with a port, or a URL with a
   * scheme (`http://127.0.0.1:9090`), which then wins over `protocol`.
   */
  endpoint: string
  /** Scheme when `endpoint` has none. @default 'https' */
  protocol?: 'http' | 'https'
  /** Port when `endpoint` has none. */
  port?: number
  /**
   * `'post'` sends batches to `/com.snowplowanalytics.snowplow/tp2` in a payload_data envelope;
   * `'get'` sends one event per request to `/i` as query parameters.
   * @default 'post'
   */
  method?: 'post' | 'get'
  /** Most body bytes of one POST. @default 40000 */
  maxPostBytes?: number
  /** Time source for `stm`. @default systemClock */
  clock?: Clock
}

/** The names of {@link SnowplowDestinationOptions}. */
export const SNOWPLOW_DESTINATION_OPTIONS = optionList<SnowplowDestinationOptions>()({
  endpoint: true,
  protocol: true,
  port: true,
  method: true,
  maxPostBytes: true,
  clock: true,
})

/** Defaults of {@link SnowplowDestinationOptions}; `maxPostBatch` is the most events per POST. */
export const SNOWPLOW_DESTINATION_DEFAULTS = {
  protocol: 'https' as 'http' | 'https',
  method: 'post' as 'post' | 'get',
  maxPostBytes: 40_000,
  maxPostBatch: 1000,
} as const

/** Status codes Snowplow trackers never retry unless `customRetryCodes` says so. */
export const SNOWPLOW_NO_RETRY: ReadonlySet<number> = new Set([400, 401, 403, 410, 422])

const POST_PATH = '/com.snowplowanalytics.snowplow/tp2'
const ENVELOPE_HEAD = `{"schema":"${SCHEMAS.payloadData}","data":[`
const ENVELOPE_TAIL = ']}'
/** `"stm":"<16 digits>",` spliced after an event's `{`. */
const STAMP_BYTES = '"stm":"",'.length + 16
const POST_FRAMING: RequestFraming = {
  fixed: ENVELOPE_HEAD.length + ENVELOPE_TAIL.length - 1,
  perMessage: STAMP_BYTES + 1,
}
const GET_FRAMING: RequestFraming = { fixed: 0, perMessage: 0 }

/**
 * A Snowplow collector as a destination: tracker-protocol events (payload_data 1-0-4), POSTed in
 * batches or sent one per GET. `stm` is stamped on every attempt, so retries carry their own send
 * time; `eid` never changes. Retries follow the Snowplow trackers: 2xx succeeds; 400, 401, 403, 410
 * and 422 are not retried; every other failure is (`customRetryCodes` overrides both).
 */
export class SnowplowDestination implements Destination {
  readonly name = 'snowplow'
  readonly method: 'post' | 'get'
  readonly maxRequestBytes: number
  /** The collector origin, e.g. `https://collector.example.com`. */
  readonly origin: string
  readonly #clock: Clock

  /** @throws {ConfigError} for an unknown or invalid option. */
  constructor(options: SnowplowDestinationOptions) {
    checkOptions(options, SNOWPLOW_DESTINATION_OPTIONS, 'SnowplowDestination', { required: true })
    this.method = enumOption(
      'method',
      options.method,
      ['post', 'get'] as const,
      SNOWPLOW_DESTINATION_DEFAULTS.method,
    )
    const protocol = enumOption(
      'protocol',
      options.protocol,
      ['http', 'https'] as const,
      SNOWPLOW_DESTINATION_DEFAULTS.protocol,
    )
    const port = options.port === undefined ? undefined : intOption('port', options.port, 0, 1, 65535)
    this.origin = collectorOrigin(options.endpoint, protocol, port)
    this.maxRequestBytes = intOption(
      'maxPostBytes',
      options.maxPostBytes,
      SNOWPLOW_DESTINATION_DEFAULTS.maxPostBytes,
      256,
    )
    this.#clock = options.clock ?? systemClock
  }

  maxBatchSize(_kind: Endpoint): number {
    return this.method === 'get' ? 1 : SNOWPLOW_DESTINATION_DEFAULTS.maxPostBatch
  }

  /**
   * The payload_data envelope around the events, a comma between them, and the `stm` stamp spliced
   * into each one per attempt (counted at the widest millisecond time, 16 digits). GET requests
   * have no body.
   */
  framing(_kind: Endpoint): RequestFraming {
    return this.method === 'get' ? GET_FRAMING : POST_FRAMING
  }

  async encode(_kind: Endpoint, messages: readonly Message[]): Promise<HttpRequest> {
    const stm = String(this.#clock.now())
    if (this.method === 'get') {
      const query = new URLSearchParams(messages[0]!.body as Record<string, string>)
      query.set('stm', stm)
      return { url: `${this.origin}/i?${query}`, method: 'GET', headers: {}, bodyBytes: 0 }
    }
    // Each payload's JSON is reused as built; only `stm` is spliced in per attempt.
    const stamp = `{"stm":"${stm}"`
    let json = ENVELOPE_HEAD
    for (let i = 0; i < messages.length; i++) {
      const payload = messages[i]!.json
      json += (i === 0 ? '' : ',') + (payload === '{}' ? `${stamp}}` : `${stamp},${payload.slice(1)}`)
    }
    json += ENVELOPE_TAIL
    return {
      url: this.origin + POST_PATH,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: json,
      bodyBytes: Buffer.byteLength(json),
    }
  }

  classify(
    kind: Endpoint,
    messages: readonly Message[],
    response: HttpResponse,
    policy: RetryPolicy,
    now: number,
  ): BatchOutcome {
    const { status } = response
    const verdict = classifyStatus(status, messages.length, policy, snowplowRetryable)
    return statusOutcome(
      verdict,
      messages,
      response,
      now,
      () =>
        new DeliveryError('EVENTWIRE_HTTP_ERROR', `Snowplow collector answered ${status}`, {
          endpoint: kind,
          status,
          retryable: verdict === 'retry',
        }),
    )
  }
}

/** The Snowplow trackers' rule: every failure is retried but 400, 401, 403, 410 and 422. */
function snowplowRetryable(status: number): boolean {
  return !SNOWPLOW_NO_RETRY.has(status)
}

/** Creates a {@link SnowplowDestination}: `snowplow({ endpoint: 'collector.example.com' })`. */
export function snowplow(options: SnowplowDestinationOptions): SnowplowDestination {
  checkOptions(options, SNOWPLOW_DESTINATION_OPTIONS, 'snowplow()', { required: true })
  return new SnowplowDestination(options)
}

function collectorOrigin(endpoint: unknown, protocol: string, port: number | undefined): string {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    throw new ConfigError('endpoint', 'expected a collector host or URL, e.g. collector.example.com')
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)
  let url: URL
  try {
    url = new URL(hasScheme ? endpoint : `${protocol}://${endpoint}`)
  } catch {
    throw new ConfigError('endpoint', `"${redactPatterns(endpoint)}" is not a valid host or URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('endpoint', `only http and https are supported, got ${url.protocol}`)
  }
  if (url.username || url.password) {
    throw new ConfigError('endpoint', 'credentials must not be embedded in the URL (they are never sent)')
  }
  if (port !== undefined && url.port === '') url.port = String(port)
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}
