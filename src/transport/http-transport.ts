import { createRequire } from 'node:module'
import type { Agent } from 'undici'
import { ClosedError, ConfigError } from '../errors/index.js'
import { boolOption, type Clock, checkOptions, describe, intOption, systemClock } from '../internal/index.js'
import { FetchBackend } from './fetch-exchange.js'
import type { FetchFn, HttpRequest, HttpResponse, Transport, TransportEngine } from './transport.js'
import { networkError } from './transport-errors.js'
import { TRANSPORT_DEFAULTS, TRANSPORT_OPTIONS, type TransportOptions } from './transport-options.js'
import { isDispatcher, UndiciBackend } from './undici-exchange.js'

/**
 * HTTP for delivery, the only place eventwire's delivery touches the network: one undici
 * keep-alive pool per origin, or, where the runtime's `undici` cannot dispatch (Bun) or a `fetch`
 * is given, that `fetch`. Both send the body as prepared, return redirects and every status as
 * they are, keep at most 1 MiB of a response body, and give every request a deadline and an
 * abort; failures become `EventwireError`s with code `EVENTWIRE_NETWORK_ERROR`, `EVENTWIRE_TIMEOUT`
 * (both retryable) or `EVENTWIRE_ABORTED`.
 *
 * undici is loaded, and the keep-alive pool created, when the first request is sent: a client or
 * consumer that has not sent anything yet costs no network code.
 */
export class HttpTransport implements Transport {
  readonly requestTimeoutMs: number
  readonly #connectTimeoutMs: number
  readonly #verifyCert: boolean
  readonly #clock: Clock
  /** Undefined until known: for eventwire's own pool, when undici is first loaded. */
  #engine: TransportEngine | undefined
  /** Undefined until the first request, for eventwire's own pool. */
  #backend: Transport | undefined
  /** eventwire's own pool while undici loads. */
  #opening: Promise<Transport> | undefined
  #closed = false

  constructor(options: TransportOptions = {}) {
    checkOptions(options, TRANSPORT_OPTIONS, 'HttpTransport')
    this.requestTimeoutMs = intOption(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      TRANSPORT_DEFAULTS.requestTimeoutMs,
      1,
    )
    this.#connectTimeoutMs = intOption(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      TRANSPORT_DEFAULTS.connectTimeoutMs,
      1,
    )
    this.#verifyCert = boolOption('verifyCert', options.verifyCert, TRANSPORT_DEFAULTS.verifyCert)
    this.#clock = options.clock ?? systemClock
    if (options.fetch !== undefined || options.dispatcher !== undefined) {
      const fetch = givenFetch(options)
      if (fetch !== undefined) {
        this.#engine = 'fetch'
        this.#backend = new FetchBackend(fetch, this.#clock, this.requestTimeoutMs, this.#verifyCert)
      } else {
        this.#engine = 'undici'
        this.#backend = new UndiciBackend(options.dispatcher!, false, this.#clock, this.requestTimeoutMs)
      }
    } else if (typeof (globalThis as { fetch?: unknown }).fetch !== 'function') {
      // Without a runtime fetch to fall back on, a runtime whose undici cannot dispatch is refused
      // now rather than at the first request.
      this.#engine = defaultEngine()
    }
  }

  /** How this transport sends: `undici` (Node.js, Deno) or `fetch` (Bun, or a `fetch` given). */
  get engine(): TransportEngine {
    this.#engine ??= defaultEngine()
    return this.#engine
  }

  /**
   * Sends `req`. Resolves with any HTTP response (classification is the destination's job);
   * rejects only when no response arrived in time.
   */
  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    if (this.#backend !== undefined) return this.#backend.send(req, signal)
    if (this.#closed) return Promise.reject(networkError(req, new ClosedError('the transport is closed')))
    this.#opening ??= this.#open().then((backend) => {
      this.#backend = backend
      return backend
    })
    return this.#opening.then((backend) => backend.send(req, signal))
  }

  /**
   * Closes the keep-alive pool if this transport created it, or ends the fetches in flight;
   * in-flight requests fail with a retryable `EVENTWIRE_NETWORK_ERROR`.
   */
  async close(): Promise<void> {
    this.#closed = true
    const backend = this.#backend ?? (await this.#opening?.catch(() => undefined))
    await backend?.close()
  }

  /**
   * eventwire's own keep-alive pool, or the runtime's fetch where undici cannot dispatch (Bun).
   * undici comes through a dynamic `import()`, which bundlers follow, when the first request is sent.
   */
  async #open(): Promise<Transport> {
    const { Agent } = await loadUndici()
    if (this.#engine === undefined) {
      // Where undici cannot dispatch (Bun), the runtime's fetch; none at all is a ConfigError.
      if (!dispatches(Agent)) runtimeFetch()
      this.#engine = dispatches(Agent) ? 'undici' : 'fetch'
    }
    if (this.#engine === 'fetch') {
      return new FetchBackend(runtimeFetch(), this.#clock, this.requestTimeoutMs, this.#verifyCert)
    }
    // undici's own timeouts are a backstop only; the clock-driven deadline is the real one.
    const backstopMs = this.requestTimeoutMs + 5_000
    const agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: 64,
      headersTimeout: backstopMs,
      bodyTimeout: backstopMs,
      connect: { timeout: this.#connectTimeoutMs, rejectUnauthorized: this.#verifyCert },
    })
    const backend = new UndiciBackend(agent, true, this.#clock, this.requestTimeoutMs)
    // close() may have come while undici was loading: the pool it would have closed is this one.
    if (this.#closed) await backend.close()
    return backend
  }
}

/**
 * The `fetch` given, or undefined for the `dispatcher` given.
 * @throws {ConfigError} for `fetch` with `dispatcher`, a `fetch` that is not a function, or a
 *   `dispatcher` that cannot dispatch.
 */
function givenFetch(options: TransportOptions): FetchFn | undefined {
  if (options.fetch !== undefined) {
    if (typeof options.fetch !== 'function') {
      throw new ConfigError('fetch', `expected a fetch function, got ${describe(options.fetch)}`)
    }
    if (options.dispatcher !== undefined) {
      throw new ConfigError('fetch', 'give either fetch or dispatcher, not both')
    }
    return options.fetch
  }
  if (isDispatcher(options.dispatcher)) return undefined
  throw new ConfigError(
    'dispatcher',
    undiciDispatches()
      ? `expected an undici Dispatcher (Agent, Pool, ProxyAgent), got ${describe(options.dispatcher)}`
      : "this runtime's undici cannot dispatch requests (Bun): leave dispatcher out, and eventwire sends with the runtime's fetch",
  )
}

/**
 * `undici` where its dispatcher works, else `fetch` (the runtime's own).
 * @throws {ConfigError} when undici cannot dispatch and the runtime has no fetch.
 */
function defaultEngine(): TransportEngine {
  if (undiciDispatches()) return 'undici'
  runtimeFetch()
  return 'fetch'
}

/**
 * The runtime's own fetch.
 * @throws {ConfigError} when it has none.
 */
function runtimeFetch(): FetchFn {
  const fetch = (globalThis as { fetch?: FetchFn }).fetch
  if (typeof fetch !== 'function') {
    throw new ConfigError(
      'fetch',
      "this runtime's undici cannot dispatch requests and it has no fetch: pass one",
    )
  }
  return fetch.bind(globalThis)
}

type UndiciModule = { Agent: typeof Agent }
let undiciModule: UndiciModule | undefined

/** undici, loaded on first use (it is most of what delivery costs to load). */
async function loadUndici(): Promise<UndiciModule> {
  undiciModule ??= (await import('undici')) as UndiciModule
  return undiciModule
}

/**
 * undici at once, for the answers that cannot wait for a request (which engine; whether a
 * dispatcher given can dispatch). Where it cannot be required (a bundle that inlined it),
 * the runtime decides: only Bun's stand-in cannot dispatch.
 */
function undiciNow(): UndiciModule | undefined {
  try {
    undiciModule ??= createRequire(import.meta.url)('undici') as UndiciModule
  } catch {
    return undefined
  }
  return undiciModule
}

/** True when `Agent` is the real undici's: it can dispatch. */
function dispatches(agent: typeof Agent): boolean {
  return typeof (agent as { prototype?: { dispatch?: unknown } }).prototype?.dispatch === 'function'
}

/** True when the `undici` this runtime loads is the real one: its Agent can dispatch. */
function undiciDispatches(): boolean {
  const undici = undiciNow()
  if (undici === undefined) return (process.versions as { bun?: string }).bun === undefined
  return dispatches(undici.Agent)
}
