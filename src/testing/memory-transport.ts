import type { IncomingHttpHeaders } from 'node:http'
import { ConfigError } from '../errors/index.js'
import {
  type Clock,
  checkOptions,
  intOption,
  optionList,
  systemClock,
  type TimerHandle,
  watchAbort,
} from '../internal/index.js'
import type { JsonObject } from '../message/index.js'
import {
  abortedError,
  type HttpRequest,
  type HttpResponse,
  networkError,
  TRANSPORT_DEFAULTS,
  type Transport,
  timeoutError,
} from '../transport/index.js'
import {
  decodeRequest,
  defaultBody,
  type ReceivedRequest,
  type ReceiverHandler,
  RequestLog,
  type ScriptedResponse,
} from './request-log.js'

/** Options of {@link createMemoryTransport}. */
export interface MemoryTransportOptions {
  /** Decides the answer to each request, as for `startTestReceiver`. @default every request succeeds */
  handler?: ReceiverHandler
  /**
   * Time source for answers with `delayMs` and for the request deadline: give the consumer's fake
   * clock, and time moves only when the test moves it. @default systemClock
   */
  clock?: Clock
  /**
   * Deadline of one request, in milliseconds: an answer that `hang`s, or is delayed past it,
   * fails with a retryable `EVENTWIRE_TIMEOUT`, as with the HTTP transport.
   * @default 10000
   */
  requestTimeoutMs?: number
}

/** The names of {@link MemoryTransportOptions}. */
const MEMORY_TRANSPORT_OPTIONS = optionList<MemoryTransportOptions>()({
  handler: true,
  clock: true,
  requestTimeoutMs: true,
})

/** Defaults of {@link MemoryTransportOptions}. */
export const MEMORY_TRANSPORT_DEFAULTS = { requestTimeoutMs: TRANSPORT_DEFAULTS.requestTimeoutMs } as const

/**
 * A {@link Transport} that answers in memory, for testing delivery without a network: pass it as a
 * consumer's `transport` option. It decodes and records requests and answers them the way
 * `startTestReceiver` does (same handler, same default answers), so a test can switch between the
 * two; `reset` fails the request as a dropped connection would.
 */
export interface MemoryTransport extends Transport {
  /** Every request received, in order (including ones answered with an error). */
  readonly requests: ReceivedRequest[]
  /** Requests received and not answered yet. */
  readonly pending: number
  readonly requestTimeoutMs: number
  /** Replaces the handler. */
  handle(handler: ReceiverHandler | undefined): void
  /** Records that arrived in requests answered with success, per path (e.g. `/track`). */
  delivered(path?: string): JsonObject[]
  /** Distinct `$insert_id`s among delivered events. */
  uniqueInsertIds(): Set<string>
  /** Forgets every request and delivered record (the handler stays). */
  reset(): void
  /** Requests not answered yet fail with a retryable network error, and so do later ones. */
  close(): Promise<void>
}

/** One request waiting for its answer. */
interface Waiting {
  readonly req: HttpRequest
  fail(error: Error): void
}

/**
 * Creates a {@link MemoryTransport}.
 *
 * ```ts
 * const clock = createFakeClock()
 * const transport = createMemoryTransport({ clock, handler: (_req, i) => (i === 0 ? { status: 503 } : undefined) })
 * const consumer = new BatchConsumer({ transport, clock })
 * ```
 *
 * @throws {ConfigError} for an unknown or invalid option.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  checkOptions(options, MEMORY_TRANSPORT_OPTIONS, 'createMemoryTransport')
  if (options.handler !== undefined && typeof options.handler !== 'function') {
    throw new ConfigError('handler', 'expected a function (request, index) => answer')
  }
  const clock = options.clock ?? systemClock
  const requestTimeoutMs = intOption(
    'requestTimeoutMs',
    options.requestTimeoutMs,
    MEMORY_TRANSPORT_DEFAULTS.requestTimeoutMs,
    1,
  )
  const log = new RequestLog()
  const waiting = new Set<Waiting>()
  let handler = options.handler
  let closed = false

  /** The scripted answer to `received`; a handler that throws answers 500. */
  const answer = async (received: ReceivedRequest, index: number): Promise<ScriptedResponse | undefined> => {
    try {
      return await handler?.(received, index)
    } catch (error) {
      return { status: 500, body: { error: String(error) } }
    }
  }

  const send = (req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> =>
    new Promise<HttpResponse>((resolve, reject) => {
      if (closed) return reject(networkError(req, new Error('the transport is closed')))
      if (signal?.aborted) return reject(abortedError(req, signal.reason))
      let settled = false
      let delay: TimerHandle | undefined
      const entry: Waiting = {
        req,
        fail: (error) => {
          if (settled) return
          settled = true
          cleanup()
          reject(error)
        },
      }
      const deadline = clock.setTimeout(
        () => entry.fail(timeoutError(req, requestTimeoutMs)),
        requestTimeoutMs,
      )
      const watch =
        signal === undefined
          ? undefined
          : watchAbort(signal, { onAbort: (r) => entry.fail(abortedError(req, r)) })
      const cleanup = () => {
        waiting.delete(entry)
        deadline.cancel()
        delay?.cancel()
        watch?.cancel()
      }
      const succeed = (response: HttpResponse, received: ReceivedRequest) => {
        if (settled) return
        settled = true
        cleanup()
        log.answered(received, response.status)
        resolve(response)
      }
      waiting.add(entry)
      const received = decodeRequest(req.method, req.url, lowerCase(req.headers), toBuffer(req.body))
      const index = log.receive(received)
      void answer(received, index).then((scripted) => {
        if (scripted !== undefined && 'action' in scripted) {
          if (scripted.action === 'reset') {
            entry.fail(networkError(req, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })))
          }
          // 'hang': only the deadline, the signal or close() ends it.
          return
        }
        const body = scripted?.body ?? defaultBody(received)
        const response: HttpResponse = {
          status: scripted?.status ?? 200,
          headers: { 'content-type': 'application/json', ...lowerCase(scripted?.headers ?? {}) },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }
        if (scripted?.delayMs) delay = clock.setTimeout(() => succeed(response, received), scripted.delayMs)
        else succeed(response, received)
      })
    })

  return {
    requests: log.requests,
    requestTimeoutMs,
    get pending() {
      return waiting.size
    },
    send,
    handle(next) {
      handler = next
    },
    delivered: (path) => log.delivered(path),
    uniqueInsertIds: () => log.uniqueInsertIds(),
    reset: () => log.reset(),
    async close() {
      closed = true
      for (const entry of [...waiting])
        entry.fail(networkError(entry.req, new Error('the transport is closed')))
    },
  }
}

function lowerCase(headers: Readonly<Record<string, string>>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  return out
}

function toBuffer(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0)
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body
}
