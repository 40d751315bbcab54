import type { Dispatcher } from 'undici'
import type { EventwireError } from '../errors/index.js'
import { type AbortWatch, type Clock, type TimerHandle, watchAbort } from '../internal/index.js'
import type { HttpRequest, HttpResponse, Transport } from './transport.js'
import { abortedError, MAX_RESPONSE_BYTES, networkError, timeoutError } from './transport-errors.js'

/** URLs whose parse is remembered (a transport talks to a handful of endpoints). */
const MAX_TARGETS = 64

/** A request URL split the way undici's dispatcher takes it. */
interface Target {
  readonly origin: string
  readonly path: string
}

/**
 * Sends through an undici dispatcher (eventwire's own keep-alive Agent, or the caller's), with
 * one {@link Exchange} per request as its dispatch handler.
 */
export class UndiciBackend implements Transport {
  readonly #dispatcher: Dispatcher
  readonly #owns: boolean
  readonly #clock: Clock
  readonly #timeoutMs: number
  readonly #targets = new Map<string, Target>()

  constructor(dispatcher: Dispatcher, owns: boolean, clock: Clock, timeoutMs: number) {
    this.#dispatcher = dispatcher
    this.#owns = owns
    this.#clock = clock
    this.#timeoutMs = timeoutMs
  }

  send(req: HttpRequest, signal: AbortSignal | undefined): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(req, resolve, reject, this.#timeoutMs)
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

  async close(): Promise<void> {
    if (this.#owns) await this.#dispatcher.destroy().catch(() => {})
  }
}

/** True when `value` can carry requests: an undici Dispatcher with `dispatch()` and `destroy()`. */
export function isDispatcher(value: unknown): value is Dispatcher {
  const candidate = value as Partial<Dispatcher> | null | undefined
  return typeof candidate?.dispatch === 'function' && typeof candidate.destroy === 'function'
}

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
