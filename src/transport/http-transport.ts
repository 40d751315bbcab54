import { Agent } from 'undici'
import { ConfigError } from '../errors/index.js'
import { boolOption, describe, intOption, systemClock } from '../internal/index.js'
import { checkOptions } from '../internal/validate.js'
import { FetchBackend } from './fetch-exchange.js'
import type { FetchFn, HttpRequest, HttpResponse, Transport, TransportEngine } from './transport.js'
import { TRANSPORT_DEFAULTS, TRANSPORT_OPTIONS, type TransportOptions } from './transport-options.js'
import { isDispatcher, UndiciBackend } from './undici-exchange.js'

/**
 * HTTP for delivery, the only place eventwire's delivery touches the network: one undici
 * keep-alive pool per origin, or, where the runtime's `undici` cannot dispatch (Bun) or a `fetch`
 * is given, that `fetch`. Both send the body as prepared, return redirects and every status as
 * they are, keep at most 1 MiB of a response body, and give every request a deadline and an
 * abort; failures become `EventwireError`s with code `EVENTWIRE_NETWORK_ERROR`, `EVENTWIRE_TIMEOUT`
 * (both retryable) or `EVENTWIRE_ABORTED`.
 */
export class HttpTransport implements Transport {
  readonly requestTimeoutMs: number
  /** How this transport sends: `undici` (Node.js, Deno) or `fetch` (Bun, or a `fetch` given). */
  readonly engine: TransportEngine
  readonly #backend: Transport

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
    const clock = options.clock ?? systemClock
    const fetch = fetchOption(options)
    if (fetch !== undefined) {
      this.engine = 'fetch'
      this.#backend = new FetchBackend(fetch, clock, this.requestTimeoutMs, verifyCert)
      return
    }
    this.engine = 'undici'
    if (options.dispatcher !== undefined) {
      this.#backend = new UndiciBackend(options.dispatcher, false, clock, this.requestTimeoutMs)
      return
    }
    // undici's own timeouts are a backstop only; the clock-driven deadline is the real one.
    const backstopMs = this.requestTimeoutMs + 5_000
    const agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 64,
      headersTimeout: backstopMs,
      bodyTimeout: backstopMs,
      connect: { timeout: connectTimeoutMs, rejectUnauthorized: verifyCert },
    })
    this.#backend = new UndiciBackend(agent, true, clock, this.requestTimeoutMs)
  }

  /**
   * Sends `req`. Resolves with any HTTP response (classification is the destination's job);
   * rejects only when no response arrived in time.
   */
  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    return this.#backend.send(req, signal)
  }

  /**
   * Closes the keep-alive pool if this transport created it, or ends the fetches in flight;
   * in-flight requests fail with a retryable `EVENTWIRE_NETWORK_ERROR`.
   */
  async close(): Promise<void> {
    await this.#backend.close()
  }
}

/**
 * The fetch to send with, or undefined for undici: the one given; else the runtime's own where its
 * `undici` cannot dispatch (Bun's stand-in has the classes but not their methods).
 * @throws {ConfigError} for `fetch` with `dispatcher`, a `fetch` that is not a function, or a
 *   `dispatcher` that cannot dispatch.
 */
function fetchOption(options: TransportOptions): FetchFn | undefined {
  if (options.fetch !== undefined) {
    if (typeof options.fetch !== 'function') {
      throw new ConfigError('fetch', `expected a fetch function, got ${describe(options.fetch)}`)
    }
    if (options.dispatcher !== undefined) {
      throw new ConfigError('fetch', 'give either fetch or dispatcher, not both')
    }
    return options.fetch
  }
  if (options.dispatcher !== undefined) {
    if (isDispatcher(options.dispatcher)) return undefined
    throw new ConfigError(
      'dispatcher',
      undiciDispatches()
        ? `expected an undici Dispatcher (Agent, Pool, ProxyAgent), got ${describe(options.dispatcher)}`
        : "this runtime's undici cannot dispatch requests (Bun): leave dispatcher out, and eventwire sends with the runtime's fetch",
    )
  }
  if (undiciDispatches()) return undefined
  const runtimeFetch = (globalThis as { fetch?: FetchFn }).fetch
  if (typeof runtimeFetch !== 'function') {
    throw new ConfigError(
      'fetch',
      "this runtime's undici cannot dispatch requests and it has no fetch: pass one",
    )
  }
  return runtimeFetch.bind(globalThis)
}

/** True when the `undici` this runtime loads is the real one: its Agent can dispatch. */
function undiciDispatches(): boolean {
  return typeof (Agent as { prototype?: { dispatch?: unknown } }).prototype?.dispatch === 'function'
}
