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

/**
 * What sends a destination's requests: eventwire's {@link HttpTransport}, or another
 * implementation (`createMemoryTransport()` from `eventwire/testing` answers in memory, for tests
 * without a network).
 *
 * `send()` resolves with any response, whatever its status (classifying it is the destination's
 * job), and rejects only when no response arrived: the consumer then retries the batch under its
 * retry policy, unless the rejection is an `EventwireError` with `retryable: false`. A `send()`
 * that throws instead of rejecting is treated the same way. When `signal` aborts (a `close()`
 * deadline), `send()` should reject promptly; the messages go back to the store.
 */
export interface Transport {
  /** Sends `req`; resolves with the response, rejects when none arrived. */
  send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse>
  /** Releases connections; requests still in flight fail. Called by a consumer only on a transport it built. */
  close(): Promise<void>
  /**
   * The longest one request may take, in milliseconds, when the transport bounds it; consumers
   * size their leases by it. @default 10000
   */
  readonly requestTimeoutMs?: number
}

/** How an {@link HttpTransport} sends: undici's dispatcher, or a `fetch`. */
export type TransportEngine = 'undici' | 'fetch'

/** A WHATWG `fetch`. */
export type FetchFn = typeof globalThis.fetch
