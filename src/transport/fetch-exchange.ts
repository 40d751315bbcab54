import type { EventwireError } from '../errors/index.js'
import { ClosedError } from '../errors/index.js'
import { type AbortTarget, type Clock, watchAbort } from '../internal/index.js'
import type { FetchFn, HttpRequest, HttpResponse, Transport } from './transport.js'
import { abortedError, MAX_RESPONSE_BYTES, networkError, timeoutError } from './transport-errors.js'

/** Headers a fetch sets itself (and some refuse to be given). */
const FETCH_OWN_HEADERS = new Set(['content-length', 'host', 'connection', 'keep-alive', 'transfer-encoding'])

/**
 * Sends with a WHATWG `fetch`: the runtime's own where undici's dispatcher is not available (Bun),
 * or one the caller gave. Same contract as the undici backend: the body is sent as prepared (a
 * gzip buffer stays a gzip buffer), redirects are returned rather than followed, one deadline
 * (`requestTimeoutMs`, through an AbortSignal) covers connecting, sending and reading the whole
 * response, the kept response body is capped at {@link MAX_RESPONSE_BYTES}, and `close()` ends
 * the requests in flight.
 */
export class FetchBackend implements Transport {
  readonly #fetch: FetchFn
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #verifyCert: boolean
  readonly #inFlight = new Set<FetchExchange>()
  #closed = false

  constructor(fetch: FetchFn, clock: Clock, timeoutMs: number, verifyCert: boolean) {
    this.#fetch = fetch
    this.#clock = clock
    this.#timeoutMs = timeoutMs
    this.#verifyCert = verifyCert
  }

  send(req: HttpRequest, signal: AbortSignal | undefined): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError(req, signal.reason))
        return
      }
      if (this.#closed) {
        reject(networkError(req, new ClosedError('the transport is closed')))
        return
      }
      const exchange = new FetchExchange(req, resolve, reject, () => this.#inFlight.delete(exchange))
      this.#inFlight.add(exchange)
      exchange.start(this.#clock, this.#timeoutMs, signal)
      let init: RequestInit
      try {
        init = this.#init(req, exchange.signal)
      } catch (error) {
        exchange.fail(networkError(req, error as Error))
        return
      }
      // Any throw inside fetch (a bad URL, a refused header) becomes a rejected promise here.
      Promise.resolve()
        .then(() => this.#fetch(req.url, init))
        .then((response) => readResponse(response))
        .then(
          (response) => exchange.succeed(response),
          (error: unknown) => exchange.fail(networkError(req, rootCause(error))),
        )
    })
  }

  #init(req: HttpRequest, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      if (!FETCH_OWN_HEADERS.has(name.toLowerCase())) headers[name] = value
    }
    const init: RequestInit & { tls?: { rejectUnauthorized: boolean } } = {
      method: req.method,
      headers,
      body: req.body ?? null,
      signal,
      redirect: 'manual',
    }
    // Bun's fetch reads `tls`; other fetches ignore it.
    if (!this.#verifyCert) init.tls = { rejectUnauthorized: false }
    return init
  }

  /** Ends every request in flight with a (retryable) network error; later sends fail the same way. */
  async close(): Promise<void> {
    this.#closed = true
    for (const exchange of [...this.#inFlight])
      exchange.cut(networkError(exchange.req, new ClosedError('the transport is closed')))
  }
}

/** One request through fetch: settles once, whichever comes first of the response, an error, the deadline or the signal. */
class FetchExchange implements AbortTarget {
  readonly req: HttpRequest
  readonly #controller = new AbortController()
  readonly #resolve: (response: HttpResponse) => void
  readonly #reject: (error: unknown) => void
  readonly #done: () => void
  #timer: { cancel(): void } | undefined
  #watch: { cancel(): void } | undefined
  #settled = false

  constructor(
    req: HttpRequest,
    resolve: (response: HttpResponse) => void,
    reject: (error: unknown) => void,
    done: () => void,
  ) {
    this.req = req
    this.#resolve = resolve
    this.#reject = reject
    this.#done = done
  }

  /** The signal given to fetch. */
  get signal(): AbortSignal {
    return this.#controller.signal
  }

  start(clock: Clock, timeoutMs: number, signal: AbortSignal | undefined): void {
    this.#timer = clock.setTimeout(() => this.cut(timeoutError(this.req, timeoutMs)), timeoutMs)
    if (signal !== undefined) this.#watch = watchAbort(signal, this)
  }

  onAbort(reason: unknown): void {
    this.cut(abortedError(this.req, reason))
  }

  succeed(response: HttpResponse): void {
    if (this.#settle()) this.#resolve(response)
  }

  fail(error: EventwireError): void {
    if (this.#settle()) this.#reject(error)
  }

  /** Ends the request early with `error`, aborting the fetch. */
  cut(error: EventwireError): void {
    if (this.#settled) return
    this.fail(error)
    this.#controller.abort(error)
  }

  #settle(): boolean {
    if (this.#settled) return false
    this.#settled = true
    this.#timer?.cancel()
    this.#watch?.cancel()
    this.#done()
    return true
  }
}

/** Reads status, headers and up to {@link MAX_RESPONSE_BYTES} of the body; the rest is read and thrown away. */
async function readResponse(response: Response): Promise<HttpResponse> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  const cookies = (response.headers as Headers & { getSetCookie?(): string[] }).getSetCookie?.()
  if (cookies !== undefined && cookies.length > 0) headers['set-cookie'] = cookies
  const chunks: Uint8Array[] = []
  let size = 0
  if (response.body !== null) {
    const reader = response.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size <= MAX_RESPONSE_BYTES) chunks.push(value)
    }
  }
  const body = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8')
  return { status: response.status, headers, body }
}

/** The error that says what went wrong: fetch wraps network failures (`TypeError: fetch failed`). */
function rootCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error))
  const cause = (error as { cause?: unknown }).cause
  if (cause instanceof Error && (error as { code?: unknown }).code === undefined) return cause
  return error
}
