import { Agent, type Dispatcher } from 'undici'
import { EventwireError } from '../errors/index.js'
import {
  type AbortWatch,
  boolOption,
  type Clock,
  intOption,
  systemClock,
  type TimerHandle,
  watchAbort,
} from '../internal/index.js'
import { checkOptions } from '../internal/validate.js'
import { TRANSPORT_OPTIONS } from './transport-options.js'

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
  readonly #targets = new Map<string, Target>()

  constructor(options: TransportOptions = {}) {
    checkOptions(options, TRANSPORT_OPTIONS, 'HttpTransport')
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
  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(req, resolve, reject, this.requestTimeoutMs)
      if (signal?.aborted) {
        exchange.fail(abortedError(req, signal.reason))
        return
      }
      let target: Target
      try {
        target = this.#target(req.url)
      } catch (error) {
        exchange.fail(networkError(req, error as Error))
        return
      }
      exchange.start(this.#clock, signal)
      this.#dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.path,
          method: req.method,
          headers: req.headers,
          body: req.body ?? null,
        },
        exchange,
      )
    })
  }

  /** The origin and path of `url`, parsed once per URL. */
  #target(url: string): Target {
    let target = this.#targets.get(url)
    if (target === undefined) {
      const parsed = new URL(url)
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` }
      if (this.#targets.size >= MAX_TARGETS) this.#targets.clear()
      this.#targets.set(url, target)
    }
    return target
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

/** A request URL split the way undici's dispatcher takes it. */
interface Target {
  readonly origin: string
  readonly path: string
}

/** URLs whose parse is remembered (a transport talks to a handful of endpoints). */
const MAX_TARGETS = 64

/**
 * One request and its response, as undici's dispatch handler: the response body is collected (up
 * to {@link MAX_RESPONSE_BYTES}) and decoded once, and the promise settles exactly once, whichever
 * comes first of the response, an error, the deadline or the caller's signal. No stream, promise
 * or AbortController is made per request.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly #req: HttpRequest
  readonly #resolve: (response: HttpResponse) => void
  readonly #reject: (error: unknown) => void
  readonly #timeoutMs: number
  #controller: Dispatcher.DispatchController | undefined
  #timer: TimerHandle | undefined
  #watch: AbortWatch | undefined
  #status = 0
  #headers: Record<string, string | string[] | undefined> = {}
  #chunks: Buffer[] = []
  #size = 0
  /** Why the request was cut short before undici started it, if it was. */
  #abortReason: EventwireError | undefined
  #settled = false

  constructor(
    req: HttpRequest,
    resolve: (response: HttpResponse) => void,
    reject: (error: unknown) => void,
    timeoutMs: number,
  ) {
    this.#req = req
    this.#resolve = resolve
    this.#reject = reject
    this.#timeoutMs = timeoutMs
  }

  /** Starts the deadline and watches the caller's signal. */
  start(clock: Clock, signal: AbortSignal | undefined): void {
    this.#timer = clock.setTimeout(() => this.#cut(timeoutError(this.#req, this.#timeoutMs)), this.#timeoutMs)
    if (signal !== undefined) this.#watch = watchAbort(signal, this)
  }

  /** The caller's signal aborted. */
  onAbort(reason: unknown): void {
    this.#cut(abortedError(this.#req, reason))
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    if (this.#abortReason !== undefined) controller.abort(this.#abortReason)
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx informational responses come before the real one.
    if (statusCode < 200) return
    this.#status = statusCode
    this.#headers = headers
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length
    // Past the limit the rest is read and thrown away, so a misbehaving server cannot fill memory.
    if (this.#size <= MAX_RESPONSE_BYTES) this.#chunks.push(chunk)
  }

  onResponseEnd(): void {
    const chunks = this.#chunks
    // Already cut short (deadline or signal): that rejection stands.
    if (!this.#settle()) return
    const body =
      chunks.length === 0
        ? ''
        : chunks.length === 1
          ? chunks[0]!.toString('utf8')
          : Buffer.concat(chunks).toString('utf8')
    this.#resolve({ status: this.#status, headers: this.#headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(this.#abortReason ?? networkError(this.#req, error))
  }

  /** Rejects with `error` (once). */
  fail(error: EventwireError): void {
    if (this.#settle()) this.#reject(error)
  }

  /** Ends the exchange early with `error`: the request is aborted, now or as soon as undici starts it. */
  #cut(error: EventwireError): void {
    if (this.#settled) return
    this.#abortReason = error
    this.#controller?.abort(error)
    this.fail(error)
  }

  /** Marks the exchange settled and lets go of the timer and signal; false if it already was. */
  #settle(): boolean {
    if (this.#settled) return false
    this.#settled = true
    this.#timer?.cancel()
    this.#watch?.cancel()
    this.#chunks = []
    return true
  }
}

function timeoutError(req: HttpRequest, timeoutMs: number): EventwireError {
  return new EventwireError(
    'EVENTWIRE_TIMEOUT',
    `${describeTarget(req)}: no complete response within ${timeoutMs} ms`,
    {
      retryable: true,
    },
  )
}

function abortedError(req: HttpRequest, reason: unknown): EventwireError {
  return new EventwireError('EVENTWIRE_ABORTED', `${describeTarget(req)}: request aborted`, { cause: reason })
}

/** An error from undici (connection refused or reset, TLS, undici's own timeouts) as an `EventwireError`. */
function networkError(req: HttpRequest, error: Error): EventwireError {
  const code = (error as { code?: string }).code
  const timeout =
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  // A certificate the client refuses will be refused again: retrying only delays the report.
  const certificate = code !== undefined && CERTIFICATE_ERRORS.test(code)
  const hint = certificate ? ' (TLS certificate refused; see verifyCert)' : ''
  return new EventwireError(
    timeout ? 'EVENTWIRE_TIMEOUT' : 'EVENTWIRE_NETWORK_ERROR',
    `${describeTarget(req)}: ${code ?? error.message ?? 'request failed'}${hint}`,
    { cause: error, retryable: !certificate },
  )
}
