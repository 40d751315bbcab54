import { Agent, type Dispatcher, request } from 'undici'
import { EventwireError } from '../errors/index.js'
import { boolOption, type Clock, intOption, systemClock } from '../internal/index.js'

/** One HTTP request, as a destination encoded it. */
export interface HttpRequest {
  readonly url: string
  readonly method: 'GET' | 'POST'
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Buffer | string
  /** Size of the body before compression, in bytes (for notifications and stats). */
  readonly bodyBytes: number
}

/** The parts of an HTTP response that destinations classify. */
export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

/** Options of {@link HttpTransport}. */
export interface TransportOptions {
  /**
   * Deadline for one request, from sending to the end of the response body, in milliseconds.
   * @default 10000
   */
  requestTimeoutMs?: number
  /**
   * Deadline for establishing a connection (TCP + TLS), in milliseconds.
   * @default 10000
   */
  connectTimeoutMs?: number
  /**
   * Verify the server's TLS certificate. Turn off only for local self-signed receivers.
   * @default true
   */
  verifyCert?: boolean
  /**
   * An undici dispatcher (Agent, Pool, ProxyAgent) to send through instead of eventwire's own
   * keep-alive agent. eventwire does not close a dispatcher it did not create.
   */
  dispatcher?: Dispatcher
  /** Time source for request deadlines. @default systemClock */
  clock?: Clock
}

const TRANSPORT_DEFAULTS = { requestTimeoutMs: 10_000, connectTimeoutMs: 10_000, verifyCert: true } as const

const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/

/** Largest response body read, so a misbehaving server cannot fill memory. */
const MAX_RESPONSE_BYTES = 1024 * 1024

/**
 * HTTP over one undici keep-alive pool per origin. The only place eventwire's delivery touches the
 * network. Every request has a deadline and can be aborted; failures become `EventwireError`s
 * with code `EVENTWIRE_NETWORK_ERROR`, `EVENTWIRE_TIMEOUT` (both retryable) or `EVENTWIRE_ABORTED`.
 */
export class HttpTransport {
  readonly requestTimeoutMs: number
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #clock: Clock

  constructor(options: TransportOptions = {}) {
    this.requestTimeoutMs = intOption(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      TRANSPORT_DEFAULTS.requestTimeoutMs,
      1,
    )
    const connectTimeoutMs = intOption(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      TRANSPORT_DEFAULTS.connectTimeoutMs,
      1,
    )
    const verifyCert = boolOption('verifyCert', options.verifyCert, TRANSPORT_DEFAULTS.verifyCert)
    this.#clock = options.clock ?? systemClock
    this.#ownsDispatcher = options.dispatcher === undefined
    // undici's own timeouts are a backstop only; the clock-driven deadline below is the real one.
    const backstopMs = this.requestTimeoutMs + 5_000
    this.#dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 30_000,
        connections: 64,
        headersTimeout: backstopMs,
        bodyTimeout: backstopMs,
        connect: { timeout: connectTimeoutMs, rejectUnauthorized: verifyCert },
      })
  }

  /**
   * Sends `req`. Resolves with any HTTP response (classification is the destination's job);
   * rejects only when no response arrived in time.
   */
  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    const controller = new AbortController()
    let timedOut = false
    const timer = this.#clock.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.requestTimeoutMs)
    const onAbort = () => controller.abort()
    if (signal?.aborted) controller.abort()
    else signal?.addEventListener('abort', onAbort, { once: true })
    const target = describeTarget(req)
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.#dispatcher,
        signal: controller.signal,
      })
      const headers: Record<string, string | string[] | undefined> = res.headers
      const length = Number(headers['content-length'])
      // A declared length within the limit is read whole; otherwise chunk by chunk, up to the limit.
      const body =
        length >= 0 && length <= MAX_RESPONSE_BYTES ? await res.body.text() : await readLimited(res.body)
      return { status: res.statusCode, headers, body }
    } catch (error) {
      if (timedOut) {
        throw new EventwireError(
          'EVENTWIRE_TIMEOUT',
          `${target}: no complete response within ${this.requestTimeoutMs} ms`,
          {
            cause: error,
            retryable: true,
          },
        )
      }
      if (signal?.aborted) {
        throw new EventwireError('EVENTWIRE_ABORTED', `${target}: request aborted`, { cause: error })
      }
      const code = (error as { code?: string }).code
      const timeout =
        code === 'UND_ERR_CONNECT_TIMEOUT' ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT'
      // A certificate the client refuses will be refused again: retrying only delays the report.
      const certificate = code !== undefined && CERTIFICATE_ERRORS.test(code)
      const hint = certificate ? ' (TLS certificate refused; see verifyCert)' : ''
      throw new EventwireError(
        timeout ? 'EVENTWIRE_TIMEOUT' : 'EVENTWIRE_NETWORK_ERROR',
        `${target}: ${code ?? (error as Error).message ?? 'request failed'}${hint}`,
        { cause: error, retryable: !certificate },
      )
    } finally {
      timer.cancel()
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Closes the keep-alive pool if this transport created it; in-flight requests are destroyed. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.destroy().catch(() => {})
  }
}

/** `POST https://host/path` without the query string, which may hold ids. */
export function describeTarget(req: Pick<HttpRequest, 'method' | 'url'>): string {
  const q = req.url.indexOf('?')
  return `${req.method} ${q === -1 ? req.url : req.url.slice(0, q)}`
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += chunk.length
    if (size > MAX_RESPONSE_BYTES) continue
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks).toString('utf8')
}
