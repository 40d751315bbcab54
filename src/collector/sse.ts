import type { ServerResponse } from 'node:http'
import type { Clock, TimerHandle } from '../internal/index.js'

/** A client further behind than this many buffered bytes is disconnected rather than buffered. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

/**
 * Server-Sent Events fan-out for `GET /_/stream`. Each client gets every broadcast as
 * `event: <name>` + `data: <json>`, and a comment line every `heartbeatMs` so proxies and browsers
 * keep the connection open. Clients are removed when they disconnect or fall too far behind.
 */
export class SseHub {
  readonly #clients = new Set<ServerResponse>()
  readonly #clock: Clock
  readonly #heartbeatMs: number
  #timer: TimerHandle | undefined
  #closed = false

  constructor(clock: Clock, heartbeatMs: number) {
    this.#clock = clock
    this.#heartbeatMs = heartbeatMs
  }

  /** Connected clients. */
  get size(): number {
    return this.#clients.size
  }

  /** Turns a request into a stream client and sends `hello` with `data`. */
  add(res: ServerResponse, hello: unknown): void {
    if (this.#closed) {
      res.writeHead(503).end()
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
    })
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`)
    this.#clients.add(res)
    // A request's own 'close' fires once its (empty) body is read; the response's marks the disconnect.
    const remove = () => this.#clients.delete(res)
    res.on('close', remove)
    res.on('error', remove)
    this.#schedule()
  }

  /** Sends one event to every client. Serialises only when someone listens. */
  broadcast(event: string, data: unknown): void {
    if (this.#clients.size === 0) return
    this.#write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  /** Ends every client stream and stops the heartbeat. */
  close(): void {
    this.#closed = true
    this.#timer?.cancel()
    for (const res of this.#clients) res.end()
    this.#clients.clear()
  }

  #write(chunk: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.#clients.delete(res)
        res.destroy()
        continue
      }
      res.write(chunk)
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closed) return
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      if (this.#clients.size === 0) return
      this.#write(': heartbeat\n\n')
      this.#schedule()
    }, this.#heartbeatMs)
  }
}
