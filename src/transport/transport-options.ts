import type { Dispatcher } from 'undici'
import { type Clock, optionList } from '../internal/index.js'
import type { FetchFn } from './transport.js'

/** Options of {@link HttpTransport}. */
export interface TransportOptions {
  /**
   * Deadline for one request, from sending to the end of the response body, in milliseconds.
   * @default 10000
   */
  requestTimeoutMs?: number
  /**
   * Deadline for establishing a connection (TCP + TLS), in milliseconds. A `fetch` cannot time
   * connecting apart from the rest, so through fetch (Bun) `requestTimeoutMs` bounds it.
   * @default 10000
   */
  connectTimeoutMs?: number
  /**
   * Verify the server's TLS certificate. Turn off only for local self-signed receivers. Through
   * fetch it takes effect where the fetch reads Bun's `tls.rejectUnauthorized` option.
   * @default true
   */
  verifyCert?: boolean
  /**
   * An undici dispatcher (Agent, Pool, ProxyAgent) to send through instead of eventwire's own
   * keep-alive agent. eventwire does not close a dispatcher it did not create.
   */
  dispatcher?: Dispatcher
  /**
   * A WHATWG `fetch` to send through instead of undici. Without it eventwire uses undici, or, in
   * a runtime whose `undici` has no working dispatcher (Bun), the runtime's own `fetch`. Not
   * together with `dispatcher`.
   */
  fetch?: FetchFn
  /** Time source for request deadlines. @default systemClock */
  clock?: Clock
}

/** Defaults of {@link TransportOptions}. */
export const TRANSPORT_DEFAULTS = {
  requestTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  verifyCert: true,
} as const

/** The names of {@link TransportOptions}. */
export const TRANSPORT_OPTIONS = optionList<TransportOptions>()({
  requestTimeoutMs: true,
  connectTimeoutMs: true,
  verifyCert: true,
  dispatcher: true,
  fetch: true,
  clock: true,
})
