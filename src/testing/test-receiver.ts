import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JsonObject } from '../message/index.js'
import {
  decodeRequest,
  defaultBody,
  type ReceivedRequest,
  type ReceiverHandler,
  RequestLog,
  type ScriptedResponse,
} from './request-log.js'

export type { ReceivedRequest, ReceiverHandler, ScriptedResponse } from './request-log.js'

/** A loopback HTTP server that speaks enough of Mixpanel's ingestion API for tests and demos. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>`, usable as `apiHost`. */
  readonly origin: string
  /** Every request received, in order (including ones answered with an error). */
  readonly requests: ReceivedRequest[]
  /** Replaces the handler. */
  handle(handler: ReceiverHandler | undefined): void
  /** Records that arrived in requests answered with success, per path (e.g. `/track`). */
  delivered(path?: string): JsonObject[]
  /** Distinct `$insert_id`s among delivered events. */
  uniqueInsertIds(): Set<string>
  /** Forgets every request and delivered record (the handler stays). */
  reset(): void
  /** Stops the server, destroying open connections. */
  close(): Promise<void>
}

/**
 * Starts a receiver on 127.0.0.1 and a free port. Default answers: `/track`, `/engage`, `/groups`
 * → `{"status":1,"error":null}`; `/import` → `{"code":200,"num_records_imported":N,"status":"OK"}`.
 */
export async function startTestReceiver(handler?: ReceiverHandler): Promise<TestReceiver> {
  let current = handler
  const log = new RequestLog()
  const sockets = new Set<import('node:net').Socket>()
  const server: Server = createServer((req, res) => {
    void serve(req, res)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const received = decodeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks))
    const index = log.receive(received)
    let scripted: ScriptedResponse | undefined
    try {
      scripted = await current?.(received, index)
    } catch (error) {
      scripted = { status: 500, body: { error: String(error) } }
    }
    if (scripted && 'action' in scripted) {
      if (scripted.action === 'reset') req.socket.destroy()
      return
    }
    if (scripted?.delayMs) await new Promise((resolve) => setTimeout(resolve, scripted.delayMs))
    const status = scripted?.status ?? 200
    log.answered(received, status)
    const body = scripted?.body ?? defaultBody(received)
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    if (!res.destroyed) {
      res.writeHead(status, { 'content-type': 'application/json', ...scripted?.headers })
      res.end(text)
    }
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: log.requests,
    handle: (next) => {
      current = next
    },
    delivered: (path) => log.delivered(path),
    uniqueInsertIds: () => log.uniqueInsertIds(),
    reset: () => log.reset(),
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}
